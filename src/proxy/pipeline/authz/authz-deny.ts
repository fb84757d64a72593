import { forbidden } from '../errors.js';
import { type Authorizer, noConfig } from '../handler.js';

/** `deny`: every request is refused with 403. */
export const denyAuthorizer: Authorizer<Record<string, never>> = {
  id: 'deny',
  configSchema: {},
  prepare: noConfig,
  handle() {
    return { kind: 'error', error: forbidden() };
  },
};
