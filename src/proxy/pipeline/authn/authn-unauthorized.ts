import { unauthorized } from '../errors.js';
import { type Authenticator, noConfig, oathkeeperDefinition } from '../handler.js';

/** `unauthorized`: rejects every request with 401. */
export const unauthorizedAuthenticator: Authenticator<Record<string, never>> = {
  id: 'unauthorized',
  configSchema: oathkeeperDefinition('configAuthenticatorsAnonymous'),
  prepare: noConfig,
  handle() {
    return { kind: 'error', error: unauthorized() };
  },
};
