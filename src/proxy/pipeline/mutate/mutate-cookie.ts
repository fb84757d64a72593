import type { CompiledTemplate } from '../../template/index.js';
import { type Mutator, oathkeeperDefinition } from '../handler.js';
import { requestCookies } from '../session.js';
import { compileTemplateMap, renderTemplateMap } from './templates.js';

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `cookie`: `cookies` maps a cookie name to a template; the upstream's `Cookie` header is the
 * rendered cookies followed by the client's other cookies (a client cookie of the same name
 * is replaced). Characters a cookie value cannot hold are dropped, as Go's net/http does.
 */
export const cookieMutator: Mutator<{ cookies: Array<[string, CompiledTemplate]> }> = {
  id: 'cookie',
  configSchema: oathkeeperDefinition('configMutatorsCookie'),
  prepare(raw) {
    for (const name of Object.keys((raw.cookies ?? {}) as object)) {
      if (!COOKIE_NAME.test(name))
        return { ok: false, message: `cookie name "${name}" is not a valid cookie name` };
    }
    const compiled = compileTemplateMap('cookie', raw.cookies);
    if (!compiled.ok) return compiled;
    return { ok: true, config: { cookies: compiled.config } };
  },
  handle(request, session, config) {
    const rendered = renderTemplateMap(config.cookies, session);
    if (rendered.kind === 'error') return rendered;
    const set = new Map(rendered.values.map(([k, v]) => [k, sanitizeCookieValue(v)]));
    const parts = [...set].map(([k, v]) => `${k}=${v}`);
    const current = session.header.Cookie;
    const existing =
      current !== undefined
        ? requestCookies({ ...request, headers: { cookie: current } })
        : requestCookies(request);
    for (const [k, v] of existing) if (!set.has(k)) parts.push(`${k}=${v}`);
    return { kind: 'ok', headers: { Cookie: parts.join('; ') } };
  },
};

/** Go's sanitizeCookieValue: drops bytes outside cookie-octet; quotes values with a space or comma. */
function sanitizeCookieValue(value: string): string {
  const clean = [...value]
    .filter((c) => /[\x20-\x7e]/.test(c) && c !== '"' && c !== ';' && c !== '\\')
    .join('');
  return /[ ,]/.test(clean) ? `"${clean}"` : clean;
}
