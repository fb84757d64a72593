/**
 * Go's `url.ParseQuery(raw).Encode()`: what `r.URL.Query().Encode()` makes of a request's query.
 * Pairs are split on `&`; a pair holding `;` or a malformed `%` escape is dropped, as is an empty
 * one; names and values are decoded (`+` is a space), then written back sorted by name (byte
 * order, values of one name in their order) with Go's QueryEscape. Bytes are kept as latin1
 * strings throughout, so a query that is not UTF-8 survives as Go's would.
 */
export function goQueryEncode(rawQuery: string): string {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    const name = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined) continue;
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else list.push(value);
  }
  const out: string[] = [];
  // Latin1 strings compare code unit by code unit, which is Go's byte order.
  for (const name of [...values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const value of values.get(name) ?? []) out.push(`${queryEscape(name)}=${queryEscape(value)}`);
  }
  return out.join('&');
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Go's url.QueryUnescape, into a latin1 string of the decoded bytes; undefined when malformed. */
function queryUnescape(text: string): string | undefined {
  // WHATWG URLs percent-encode every non-ASCII character, so the raw text is ASCII here.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!HEX.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(c ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('latin1');
}

/** Go's url.QueryEscape of a latin1 byte string: `A-Za-z0-9-_.~` kept, space as `+`, `%XX` else. */
function queryEscape(bytes: string): string {
  let out = '';
  for (const byte of Buffer.from(bytes, 'latin1')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
