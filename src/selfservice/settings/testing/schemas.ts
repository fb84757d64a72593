/** The identity schema port over the real schema registry, for settings unit tests. */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JsonObject } from '../../../identity/model.js';
import type { IdentitySchemas } from '../../../identity/ports.js';
import { createSchemaRegistry } from '../../../identity/schema/index.js';

/** The exam schema of the acceptance tests (email identifier, verifiable and recovery address). */
export async function examSchemas(): Promise<{
  schemas: IdentitySchemas;
  schemaDocument(id: string): JsonObject | undefined;
}> {
  const url = pathToFileURL(
    join(import.meta.dirname, '../../../../test/fixtures/exam.schema.json'),
  ).toString();
  const registry = await createSchemaRegistry([{ id: 'exam', url }], 'exam');
  return {
    schemas: {
      defaultId: 'exam',
      schemaUrl: (id) => `https://id.example/schemas/${id}`,
      validate: (id, traits) => registry.get(id)?.validate(traits),
    },
    schemaDocument: (id) => registry.get(id)?.document as JsonObject | undefined,
  };
}
