import { type ErrorHandler, oathkeeperDefinition } from '../handler.js';
import type { WhenClause } from './when.js';

/** `www_authenticate`: 401 with `WWW-Authenticate: Basic realm=<realm>` (realm default "Please authenticate."). */
export const wwwAuthenticateErrorHandler: ErrorHandler<{ realm: string; when?: WhenClause[] }> = {
  id: 'www_authenticate',
  configSchema: oathkeeperDefinition('configErrorsWWWAuthenticate'),
  prepare: (raw) => ({
    ok: true,
    config: {
      realm: typeof raw.realm === 'string' ? raw.realm : 'Please authenticate.',
      when: raw.when as WhenClause[] | undefined,
    },
  }),
  handle(_request, _error, config) {
    // Oathkeeper writes the realm unquoted, then answers with Go's http.Error, whose headers
    // these are (`X-Content-Type-Options: nosniff` included).
    return {
      status: 401,
      headers: {
        'www-authenticate': `Basic realm=${config.realm}`,
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      },
      body: 'Unauthorized\n',
    };
  },
};
