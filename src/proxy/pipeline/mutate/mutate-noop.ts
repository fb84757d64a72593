import { type Mutator, noConfig } from '../handler.js';

/** `noop`: sets nothing. */
export const noopMutator: Mutator<Record<string, never>> = {
  id: 'noop',
  configSchema: {},
  prepare: noConfig,
  handle() {
    return { kind: 'ok', headers: {} };
  },
};
