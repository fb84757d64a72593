import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { need } from './suite-server.js';

/** An identity schema (JSON Schema draft-07) named `name` whose `traits` object is described by `traits`. */
export function identitySchema(name: string, traits: Record<string, unknown>): object {
  return {
    $id: `https://schemas.example.test/${name}`,
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { traits: { type: 'object', ...traits } },
  };
}

/**
 * Registers the hooks of an identity schema written for the tests of the `describe` (or file) it
 * is called in: `identitySchema(name, traits)` in a file in a temporary folder from `beforeAll`,
 * removed in `afterAll`. Its `url` (a `file://` URL, as the config takes) is there once
 * `beforeAll` ran.
 */
export function useSchemaFile(name: string, traits: Record<string, unknown>): { readonly url: string } {
  let dir: string | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-schema-'));
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(identitySchema(name, traits)));
    url = pathToFileURL(file).toString();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      return need(url, `schema file ${name}`);
    },
  };
}
