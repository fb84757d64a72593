import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject } from '../model.js';
import {
  IdentitySchemaConfigError,
  IdentitySchemaInvalidError,
  IdentitySchemaUnreachableError,
} from './errors.js';
import { createSchemaRegistry } from './registry.js';
import { startTestServer, type TestServer } from './testing/http-server.js';

const FIXTURES = join(import.meta.dirname, 'testing', 'fixtures');
const fixtureUrl = (name: string): string => pathToFileURL(join(FIXTURES, name)).href;
const base64Url = (document: unknown): string =>
  `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;

const minimal = (traits: JsonObject = { email: { type: 'string' } }): JsonObject => ({
  type: 'object',
  properties: { traits: { type: 'object', properties: traits } },
});

let server: TestServer;

beforeAll(async () => {
  const users = await readFile(join(FIXTURES, 'first-users.schema.json'));
  const common = await readFile(join(FIXTURES, 'common.schema.json'));
  const external = await readFile(join(FIXTURES, 'with-external-ref.schema.json'));
  server = await startTestServer((request, response) => {
    const body = { '/users.json': users, '/common.schema.json': common, '/external.json': external }[
      request.url ?? ''
    ];
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
});

afterAll(() => server.close());

describe('createSchemaRegistry', () => {
  it('loads schemas from several sources and exposes them by id, in config order', async () => {
    const registry = await createSchemaRegistry(
      [
        { id: 'customer', url: fixtureUrl('first-users.schema.json') },
        { id: 'remote', url: `${server.origin}/users.json` },
        { id: 'inline', url: base64Url(minimal()) },
      ],
      'remote',
    );
    expect(registry.defaultId).toBe('remote');
    expect(registry.getDefault().id).toBe('remote');
    expect(registry.list().map((schema) => schema.id)).toEqual(['customer', 'remote', 'inline']);
    expect(registry.get('inline')?.url).toBe(base64Url(minimal()));
    expect(registry.get('nope')).toBeUndefined();
  });

  it('keeps the document exactly as served, frozen, with the extension keyword intact', async () => {
    const raw = JSON.parse(await readFile(join(FIXTURES, 'first-users.schema.json'), 'utf8')) as JsonObject;
    const registry = await createSchemaRegistry(
      [{ id: 'u', url: fixtureUrl('first-users.schema.json') }],
      'u',
    );
    const { document } = registry.getDefault();
    expect(document).toEqual(raw);
    expect(Object.isFrozen(document)).toBe(true);
    expect(JSON.stringify(document)).toContain('"ory.sh/kratos"');
  });

  it('fails at startup when the default id is not among the schemas', async () => {
    const error = await createSchemaRegistry([{ id: 'a', url: base64Url(minimal()) }], 'default').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdentitySchemaConfigError);
    expect(error).toMatchObject({ code: 'identity_schema_config_invalid', schemaId: 'default' });
    expect((error as Error).message).toBe(
      'identity schema "default": the default schema id is not among the configured schemas ("a")',
    );
  });

  it('rejects an empty list, duplicate ids and empty urls', async () => {
    await expect(createSchemaRegistry([], 'default')).rejects.toBeInstanceOf(IdentitySchemaConfigError);
    const twice = [
      { id: 'a', url: base64Url(minimal()) },
      { id: 'a', url: base64Url(minimal()) },
    ];
    await expect(createSchemaRegistry(twice, 'a')).rejects.toThrow('the id is used twice');
    await expect(createSchemaRegistry([{ id: 'a', url: ' ' }], 'a')).rejects.toThrow('the url is empty');
  });

  it('fails with the loader error of the first broken entry', async () => {
    const error = await createSchemaRegistry(
      [
        { id: 'ok', url: base64Url(minimal()) },
        { id: 'gone', url: `${server.origin}/missing.json` },
      ],
      'ok',
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentitySchemaUnreachableError);
    expect(error).toMatchObject({ schemaId: 'gone' });
  });

  it('rejects, via the identity meta-schema, a schema without traits', async () => {
    const noTraits = { type: 'object', properties: { email: { type: 'string' } } };
    const error = await createSchemaRegistry([{ id: 'bad', url: base64Url(noTraits) }], 'bad').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdentitySchemaInvalidError);
    expect(error).toMatchObject({ code: 'identity_schema_invalid', schemaId: 'bad' });
    expect((error as Error).message).toContain('does not satisfy the identity meta-schema');
    expect((error as Error).message).toContain('#/properties/traits: missing properties: "traits"');
  });

  it('rejects traits without properties, and a malformed extension', async () => {
    await expect(createSchemaRegistry([{ id: 'x', url: base64Url(minimal({})) }], 'x')).rejects.toThrow(
      '#/properties/traits/properties: minimum 1 properties allowed, but found 0 properties',
    );
    const badExtension = minimal({
      email: { type: 'string', 'ory.sh/kratos': { credentials: { password: { identifer: true } } } },
    });
    await expect(createSchemaRegistry([{ id: 'x', url: base64Url(badExtension) }], 'x')).rejects.toThrow(
      'additionalProperties "identifer" not allowed',
    );
    const badVerificationFormat = minimal({
      email: { type: 'string', format: 'uri', 'ory.sh/kratos': { verification: { via: 'email' } } },
    });
    await expect(
      createSchemaRegistry([{ id: 'x', url: base64Url(badVerificationFormat) }], 'x'),
    ).rejects.toThrow(IdentitySchemaInvalidError);
  });

  it('rejects schemas that do not compile, and unsupported drafts', async () => {
    const badRef = minimal({ email: { $ref: '#/definitions/missing' } });
    await expect(createSchemaRegistry([{ id: 'x', url: base64Url(badRef) }], 'x')).rejects.toThrow(
      'cannot compile',
    );
    const draft04 = { ...minimal(), $schema: 'http://json-schema.org/draft-04/schema#' };
    await expect(createSchemaRegistry([{ id: 'x', url: base64Url(draft04) }], 'x')).rejects.toThrow(
      'unsupported "$schema"',
    );
  });

  it('compiles draft 2020-12 schemas with $defs, prefixItems and unevaluatedProperties', async () => {
    const registry = await createSchemaRegistry(
      [{ id: 'x', url: fixtureUrl('draft-2020-12.schema.json') }],
      'x',
    );
    const schema = registry.getDefault();
    const result = schema.validate({ email: 'A@x.org', tags: ['one'] });
    expect(result).toMatchObject({
      ok: true,
      // `locale` has a default, which is not filled in (as in Kratos).
      traits: { email: 'A@x.org', tags: ['one'] },
      identifiers: { password: ['a@x.org'] },
      verifiable: [{ value: 'a@x.org', via: 'email' }],
    });
    expect(result.ok && result.traits).not.toHaveProperty('locale');
    const invalid = schema.validate({ email: 'a@x.org', tags: ['one', 'two'], extra: true });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      expect(invalid.errors.map((e) => [e.pointer, e.keyword])).toEqual(
        expect.arrayContaining([
          ['#/traits/tags', 'items'],
          ['#/traits', 'unevaluatedProperties'],
        ]),
      );
    }
  });

  it('accepts the draft-06 and https spellings of $schema, and no $schema at all', async () => {
    for (const $schema of [
      'http://json-schema.org/draft-06/schema#',
      'https://json-schema.org/draft-07/schema',
      'https://json-schema.org/draft/2019-09/schema',
      undefined,
    ]) {
      const registry = await createSchemaRegistry(
        [{ id: 'x', url: base64Url({ ...minimal(), $schema }) }],
        'x',
      );
      expect(registry.getDefault().validate({ email: 'a' }).ok).toBe(true);
    }
  });

  it('resolves relative $refs to other documents, from files and over http', async () => {
    for (const url of [fixtureUrl('with-external-ref.schema.json'), `${server.origin}/external.json`]) {
      const registry = await createSchemaRegistry([{ id: 'x', url }], 'x');
      const result = registry.getDefault().validate({ email: ' Ref@X.org' });
      expect(result).toMatchObject({ ok: true, identifiers: { password: ['ref@x.org'] } });
      expect(registry.getDefault().validate({ email: 'nope' }).ok).toBe(false);
    }
  });
});
