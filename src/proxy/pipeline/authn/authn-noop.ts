import { type Authenticator, noConfig, oathkeeperDefinition } from '../handler.js';

/** `noop`: lets every request through unauthenticated, with an empty subject. */
export const noopAuthenticator: Authenticator<Record<string, never>> = {
  id: 'noop',
  // Oathkeeper validates noop's config against the anonymous schema.
  configSchema: oathkeeperDefinition('configAuthenticatorsAnonymous'),
  prepare: noConfig,
  handle() {
    return { kind: 'authenticated', subject: '', extra: {} };
  },
};
