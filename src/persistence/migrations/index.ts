import type { Kysely } from 'kysely';
import * as m0001 from './0001-identities.js';
import * as m0002 from './0002-sessions.js';
import * as m0003 from './0003-flows.js';
import * as m0004 from './0004-courier.js';
import * as m0005 from './0005-selfservice-codes.js';
import * as m0006 from './0006-webhook-deliveries.js';
import * as m0007 from './0007-courier-template-data.js';
import * as m0008 from './0008-oidc-continuity.js';
import * as m0009 from './0009-selfservice-errors.js';
import * as m0010 from './0010-sessions-newest-first.js';
import * as m0011 from './0011-identity-versions.js';
import * as m0012 from './0012-identity-organizations.js';
import type { Engine } from './column-types.js';

export interface MigrationModule {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

/**
 * Every migration, in order. Names sort lexically; a released name never changes and a
 * released migration is never edited: add a new one instead.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, module: MigrationModule]> = [
  ['0001-identities', m0001],
  ['0002-sessions', m0002],
  ['0003-flows', m0003],
  ['0004-courier', m0004],
  ['0005-selfservice-codes', m0005],
  ['0006-webhook-deliveries', m0006],
  ['0007-courier-template-data', m0007],
  ['0008-oidc-continuity', m0008],
  ['0009-selfservice-errors', m0009],
  ['0010-sessions-newest-first', m0010],
  ['0011-identity-versions', m0011],
  ['0012-identity-organizations', m0012],
];
