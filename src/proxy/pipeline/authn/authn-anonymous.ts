import { type Authenticator, oathkeeperDefinition } from '../handler.js';
import { requestHeader } from '../session.js';

/**
 * `anonymous`: the configured subject (default `anonymous`) for requests without an
 * `Authorization` header; with one it is not responsible.
 */
export const anonymousAuthenticator: Authenticator<{ subject: string }> = {
  id: 'anonymous',
  configSchema: oathkeeperDefinition('configAuthenticatorsAnonymous'),
  prepare: (raw) => ({
    ok: true,
    config: { subject: typeof raw.subject === 'string' && raw.subject !== '' ? raw.subject : 'anonymous' },
  }),
  handle(request, _session, config) {
    if ((requestHeader(request, 'authorization') ?? '') !== '') return { kind: 'not_responsible' };
    return { kind: 'authenticated', subject: config.subject, extra: {} };
  },
};
