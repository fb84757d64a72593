import type { ConfigIssue } from '../errors.js';

/** An area's typed view, or the problems that stop it from being built. */
export type AreaResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: ConfigIssue[] };
