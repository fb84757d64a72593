import type { KratosConfigDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** Identity schemas by id, and which one self-service flows use by default. */
export interface IdentityConfig {
  readonly defaultSchemaId: string;
  readonly schemas: readonly {
    readonly id: string;
    readonly url: string;
    /** May a self-service flow ask for it with `?identity_schema=` (the default always may). */
    readonly selfserviceSelectable?: boolean;
  }[];
}

/**
 * Reads `identity`; the default schema id must name one of the listed schemas. The schema
 * requires the key whenever an identity role runs; without it this is an issue, not a crash.
 */
export function identityConfig(document: KratosConfigDocument): AreaResult<IdentityConfig> {
  if (document.identity === undefined)
    return { ok: false, issues: [{ path: 'identity', message: 'is required' }] };
  const defaultSchemaId = document.identity.default_schema_id ?? 'default';
  const schemas = document.identity.schemas.map(({ id, url, selfservice_selectable }) =>
    selfservice_selectable === true ? { id, url, selfserviceSelectable: true } : { id, url },
  );
  const ids = new Set<string>();
  const duplicates = new Set<string>();
  for (const { id } of schemas) (ids.has(id) ? duplicates : ids).add(id);
  const issues = [...duplicates].map((id) => ({
    path: 'identity.schemas',
    message: `schema id "${id}" is listed more than once`,
  }));
  // Kratos only notices this when the first flow starts; failing at startup is kinder.
  if (!ids.has(defaultSchemaId)) {
    issues.push({
      path: 'identity.default_schema_id',
      message: `names "${defaultSchemaId}", but identity.schemas has no schema with that id`,
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { defaultSchemaId, schemas } };
}
