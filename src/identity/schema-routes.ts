import type { FastifyInstance } from 'fastify';
import { notFound } from '../kernel/errors.js';

export interface SchemaRoutesDeps {
  list(): { id: string; document: unknown }[];
  get(id: string): { id: string; document: unknown } | undefined;
}

/** Schema ids appear base64url-encoded in `schema_url`, as Kratos emits them. */
export function encodeSchemaId(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeSchemaId(raw: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) return undefined;
  const decoded = Buffer.from(raw, 'base64url').toString('utf8');
  // Only a value that round-trips was really encoded; anything else is a plain id.
  return encodeSchemaId(decoded) === raw ? decoded : undefined;
}

/** Public `GET /schemas` and `GET /schemas/{id}`. */
export function schemaRoutes(deps: SchemaRoutesDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/schemas', async () => deps.list().map((s) => ({ id: s.id, schema: s.document })));
    app.get('/schemas/:id', async (request) => {
      const { id } = request.params as { id: string };
      const schema =
        deps.get(id) ?? (decodeSchemaId(id) !== undefined ? deps.get(decodeSchemaId(id) ?? '') : undefined);
      if (!schema) throw notFound(`Identity schema "${id}" does not exist.`);
      return schema.document;
    });
  };
}
