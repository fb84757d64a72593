import { type ErrorHandler, oathkeeperDefinition } from '../handler.js';
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
    return {
      status: config.code,
      headers: { location: redirectUrl(config.to, config.returnToQueryParam, request.url) },
      body: '',
    };
  },
};
