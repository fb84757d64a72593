import { parseDuration } from '../../kernel/duration.js';
import { objectOrEmpty } from '../document-read.js';
import type { KratosConfigDocument } from '../types.js';

/** One `session.whoami.tokenizer.templates.<name>`: how whoami turns a session into a JWT. */
export interface TokenizeTemplate {
  readonly ttlMs: number;
  /** The key set whose first signing key signs (`file://`, `base64://`, `http(s)://`). */
  readonly jwksUrl: string;
  /** Jsonnet that returns `{claims: {...}}` from `std.extVar('session')` and `('claims')`. */
  readonly claimsMapperUrl: string | undefined;
  /** What `sub` is: the identity's id, or its external id. */
  readonly subjectSource: 'id' | 'external_id';
}

const DEFAULT_TTL_MS = 60_000;

/**
 * Reads `session.whoami.tokenizer.templates`. Kratos's config schema has already checked the
 * shape (`jwks_url` required, the ttl pattern, the subject source enum).
 */
export function tokenizeTemplates(document: KratosConfigDocument): ReadonlyMap<string, TokenizeTemplate> {
  const session = objectOrEmpty(document.session);
  const templates = objectOrEmpty(objectOrEmpty(objectOrEmpty(session.whoami).tokenizer).templates);
  const out = new Map<string, TokenizeTemplate>();
  for (const [name, raw] of Object.entries(templates)) {
    const template = objectOrEmpty(raw);
    const ttl = typeof template.ttl === 'string' ? parseDuration(template.ttl) : undefined;
    out.set(name, {
      ttlMs: ttl ?? DEFAULT_TTL_MS,
      jwksUrl: String(template.jwks_url ?? ''),
      claimsMapperUrl:
        typeof template.claims_mapper_url === 'string' && template.claims_mapper_url !== ''
          ? template.claims_mapper_url
          : undefined,
      subjectSource: template.subject_source === 'external_id' ? 'external_id' : 'id',
    });
  }
  return out;
}
