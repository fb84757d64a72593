import { InvalidArgumentError } from 'commander';
// A type-only import: parsing the flag does not load the application.
import type { ServeRole } from '../app/server.js';

/** Every role, in the order help lists them. */
export const SERVE_ROLES = ['public', 'admin', 'proxy', 'api'] as const satisfies readonly ServeRole[];
// Fails to compile when ServeRole gains a role this list lacks.
const everyRoleListed: Exclude<ServeRole, (typeof SERVE_ROLES)[number]> extends never ? true : never = true;
void everyRoleListed;

/** The environment variable `--roles` falls back to. */
export const ROLES_ENV = 'PORTCULLIS_ROLES';

/**
 * `--roles public,admin,proxy,api` (commander argParser): a comma list of known roles, at
 * least one, each once; order and surrounding spaces do not matter.
 */
export function parseRoles(text: string): ReadonlySet<ServeRole> {
  const roles = new Set<ServeRole>();
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase();
    if (name === '') continue;
    const role = SERVE_ROLES.find((known) => known === name);
    if (role === undefined)
      throw new InvalidArgumentError(`unknown role "${part.trim()}"; roles are ${SERVE_ROLES.join(', ')}.`);
    roles.add(role);
  }
  if (roles.size === 0) throw new InvalidArgumentError(`name at least one of ${SERVE_ROLES.join(', ')}.`);
  return roles;
}
