import { type ErrorHandler, type ErrorResponse, oathkeeperDefinition } from '../handler.js';
import type { WhenClause } from './when.js';

interface RedirectConfig {
  to: string;
  code: 301 | 302;
  returnToQueryParam: string;
  when?: WhenClause[];
}

/** Oathkeeper's RedirectURL: `to`, with the original URL in `return_to_query_param` when set. */
export function redirectUrl(to: string, returnToQueryParam: string, original: URL): string {
  if (returnToQueryParam === '') return to;
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(to);
  let url: URL;
  try {
    url = new URL(to, 'http://relative.invalid');
  } catch {
    return to;
  }
  url.searchParams.set(returnToQueryParam, original.href);
  return absolute ? url.href : `${url.pathname}${url.search}${url.hash}`;
}

/** Go's htmlEscape (net/http): `&#34;` and `&#39;`, shorter than the named entities. */
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&#34;',
  "'": '&#39;',
};

function htmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * Go's http.Redirect, which Oathkeeper's ErrorRedirect.Handle answers with: `Location`, and for
 * GET and HEAD `Content-Type: text/html; charset=utf-8`; GET also gets the short HTML body
 * (`fmt.Fprintln` of `<a href="...">Found</a>.\n`, hence the two newlines).
 */
function redirectAnswer(method: string, status: 301 | 302, location: string): ErrorResponse {
  // Compared as Go compares r.Method: exactly.
  if (method !== 'GET' && method !== 'HEAD') return { status, headers: { location }, body: '' };
  const text = status === 301 ? 'Moved Permanently' : 'Found';
  return {
    status,
    headers: { location, 'content-type': 'text/html; charset=utf-8' },
    body: method === 'GET' ? `<a href="${htmlEscape(location)}">${text}</a>.\n\n` : '',
  };
}

/** `redirect`: 302 (or 301) to `to`, optionally carrying the requested URL. */
export const redirectErrorHandler: ErrorHandler<RedirectConfig> = {
  id: 'redirect',
  configSchema: oathkeeperDefinition('configErrorsRedirect'),
  prepare: (raw) => ({
    ok: true,
    config: {
      to: String(raw.to),
      code: raw.code === 301 ? 301 : 302,
      returnToQueryParam: typeof raw.return_to_query_param === 'string' ? raw.return_to_query_param : '',
      when: raw.when as WhenClause[] | undefined,
    },
  }),
  handle(request, _error, config) {
    // The URL the person asked for: behind a trusted front proxy, with its X-Forwarded-Host.
    const original = request.publicUrl ?? request.url;
    return redirectAnswer(
      request.method,
      config.code,
      redirectUrl(config.to, config.returnToQueryParam, original),
    );
  },
};
