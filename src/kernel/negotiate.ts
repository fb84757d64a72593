/**
 * Content negotiation exactly as Kratos does it (golang/gddo's `httputil.NegotiateContentType`):
 * the offer with the highest `q` wins, an exact match beats `type/*`, which beats `*`/`*`, and
 * on a tie the earlier offer wins; with no usable `Accept` the fallback wins. Whether a flow
 * endpoint answers JSON or a redirect hangs on this, so it follows Kratos to the letter rather
 * than a general-purpose negotiator (those order ties by the `Accept` header instead).
 */

interface AcceptRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): AcceptRange[] {
  const ranges: AcceptRange[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.split(';');
    const slash = range.indexOf('/');
    if (slash <= 0) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === 'q') {
        const value = Number(param.slice(eq + 1).trim());
        q = Number.isFinite(value) ? value : 0;
      }
    }
    ranges.push({
      type: range.slice(0, slash).trim().toLowerCase(),
      subtype: range
        .slice(slash + 1)
        .trim()
        .toLowerCase(),
      q,
    });
  }
  return ranges;
}

/** How loosely `range` matches `offer`: 0 exact, 1 `type/*`, 2 `*`/`*`; undefined if not at all. */
function wildness(range: AcceptRange, offerType: string, offerSubtype: string): number | undefined {
  if (range.type === '*' && range.subtype === '*') return 2;
  if (range.subtype === '*') return range.type === offerType ? 1 : undefined;
  return range.type === offerType && range.subtype === offerSubtype ? 0 : undefined;
}

export function negotiateContentType(
  accept: string | undefined,
  offers: readonly string[],
  fallback: string,
): string {
  const ranges = parseAccept(accept ?? '');
  let best = fallback;
  let bestQ = -1;
  let bestWild = 3;
  for (const offer of offers) {
    const slash = offer.indexOf('/');
    const offerType = offer.slice(0, slash);
    const offerSubtype = offer.slice(slash + 1);
    for (const range of ranges) {
      if (range.q === 0 || range.q < bestQ) continue;
      const wild = wildness(range, offerType, offerSubtype);
      if (wild === undefined) continue;
      if (range.q > bestQ || bestWild > wild) {
        best = offer;
        bestQ = range.q;
        bestWild = wild;
      }
    }
  }
  return best;
}
