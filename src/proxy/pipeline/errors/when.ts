import { BlockList, isIP } from 'node:net';
import type { PipelineError } from '../errors.js';
import type { PipelineRequest } from '../session.js';
import { requestHeader } from '../session.js';

/** One `when` clause of an error handler (Oathkeeper's configErrorsWhen item). */
export interface WhenClause {
  error?: string[];
  request?: { cidr?: string[]; header?: { content_type?: string[]; accept?: string[] } };
}

/** Whether the handler is responsible: no clauses, or any clause matching (fields within a clause AND). */
export function matchesWhen(
  when: readonly WhenClause[] | undefined,
  request: PipelineRequest,
  error: PipelineError,
): boolean {
  if (when === undefined || when.length === 0) return true;
  return when.some((clause) => matchesClause(clause, request, error));
}

function matchesClause(clause: WhenClause, request: PipelineRequest, error: PipelineError): boolean {
  if (clause.error !== undefined && clause.error.length > 0 && !clause.error.includes(error.kind))
    return false;
  const req = clause.request;
  if (req === undefined) return true;
  if (req.cidr !== undefined && req.cidr.length > 0 && !matchesCidr(req.cidr, request)) return false;
  const contentTypes = req.header?.content_type ?? [];
  if (contentTypes.length > 0) {
    const type = (requestHeader(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!contentTypes.some((t) => t.toLowerCase() === type)) return false;
  }
  const accepts = req.header?.accept ?? [];
  if (accepts.length > 0 && negotiate(requestHeader(request, 'accept') ?? '', accepts) === undefined)
    return false;
  return true;
}

/** golang/gddo's NegotiateContentType: the best offer an Accept header allows (wildcards included), if any. */
export function negotiate(accept: string, offers: readonly string[]): string | undefined {
  const specs = accept
    .split(',')
    .map((part) => {
      const [value = '', ...params] = part.split(';').map((s) => s.trim());
      const q = params.find((p) => p.toLowerCase().startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { value: value.toLowerCase(), q: Number.isFinite(quality) ? quality : 0 };
    })
    .filter((s) => s.value !== '');
  let best: string | undefined;
  let bestQ = -1;
  let bestWild = 3;
  for (const offer of offers) {
    const o = offer.toLowerCase();
    for (const spec of specs) {
      if (spec.q === 0 || spec.q < bestQ) continue;
      if (spec.value === '*/*') {
        if (spec.q > bestQ || bestWild > 2) [best, bestQ, bestWild] = [offer, spec.q, 2];
      } else if (spec.value.endsWith('/*')) {
        if (o.startsWith(spec.value.slice(0, -1)) && (spec.q > bestQ || bestWild > 1))
          [best, bestQ, bestWild] = [offer, spec.q, 1];
      } else if (spec.value === o && (spec.q > bestQ || bestWild > 0)) {
        [best, bestQ, bestWild] = [offer, spec.q, 0];
      }
    }
  }
  return best;
}

/** The remote address and every X-Forwarded-For entry are checked, as Oathkeeper does. */
function matchesCidr(cidrs: readonly string[], request: PipelineRequest): boolean {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [net = '', bits = ''] = cidr.split('/');
    const family = isIP(net);
    if (family === 0) continue;
    list.addSubnet(
      net,
      Number(bits === '' ? (family === 4 ? 32 : 128) : bits),
      family === 4 ? 'ipv4' : 'ipv6',
    );
  }
  const forwarded = (requestHeader(request, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim());
  const addresses = [request.remoteAddress ?? '', ...forwarded].map((a) => a.replace(/^::ffff:/, ''));
  return addresses.some((a) => {
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  });
}
