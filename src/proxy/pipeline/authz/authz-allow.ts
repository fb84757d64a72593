import { type Authorizer, noConfig } from '../handler.js';

/** `allow`: every authenticated request is authorised. */
export const allowAuthorizer: Authorizer<Record<string, never>> = {
  id: 'allow',
  configSchema: {},
  prepare: noConfig,
  handle() {
    return { kind: 'ok' };
  },
};
