import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentitySchemaInvalidError, IdentitySchemaUnreachableError } from './errors.js';
import { loadSchemaDocument } from './load.js';
import { closedPort, startTestServer, type TestServer } from './testing/http-server.js';

const SCHEMA = { $id: 'test', properties: { traits: { properties: { email: { type: 'string' } } } } };

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-schema-load-'));
  await writeFile(join(dir, 'identity.schema.json'), JSON.stringify(SCHEMA));
  await writeFile(join(dir, 'with bom.json'), `\uFEFF${JSON.stringify(SCHEMA)}`);
  await writeFile(join(dir, 'broken.json'), '{"properties": ');
  server = await startTestServer((request, response) => {
    switch (request.url) {
      case '/schema.json':
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(SCHEMA));
        return;
      case '/not-json':
        response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
        return;
      case '/array':
        response.writeHead(200).end('[1, 2]');
        return;
      case '/big-declared':
        response.writeHead(200, { 'content-length': String(2 * 1024 * 1024) });
        response.end(' '.repeat(2 * 1024 * 1024));
        return;
      case '/big-chunked': {
        // No Content-Length: the cap must be enforced while reading.
        response.writeHead(200, { 'transfer-encoding': 'chunked' });
        const chunk = ' '.repeat(64 * 1024);
        for (let i = 0; i < 40; i += 1) response.write(chunk);
        response.end('{}');
        return;
      }
      case '/hang':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"properties":');
        return; // never ends
      case '/redirect':
        response.writeHead(302, { location: '/schema.json' }).end();
        return;
      default:
        response.writeHead(404).end('not found');
    }
  });
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('loadSchemaDocument', () => {
  it('loads a file:// URL with an absolute path', async () => {
    const url = pathToFileURL(join(dir, 'identity.schema.json')).href;
    await expect(loadSchemaDocument(url)).resolves.toEqual(SCHEMA);
  });

  it("loads Kratos's relative file://./ form and bare paths against baseDir", async () => {
    await expect(loadSchemaDocument('file://./identity.schema.json', { baseDir: dir })).resolves.toEqual(
      SCHEMA,
    );
    await expect(loadSchemaDocument('identity.schema.json', { baseDir: dir })).resolves.toEqual(SCHEMA);
    await expect(loadSchemaDocument(join(dir, 'identity.schema.json'))).resolves.toEqual(SCHEMA);
  });

  it('decodes percent-escapes in file URLs and strips a byte order mark', async () => {
    const url = pathToFileURL(join(dir, 'with bom.json')).href;
    expect(url).toContain('%20');
    await expect(loadSchemaDocument(url)).resolves.toEqual(SCHEMA);
  });

  it('loads base64:// URLs (standard and URL-safe alphabet)', async () => {
    const json = JSON.stringify(SCHEMA);
    await expect(loadSchemaDocument(`base64://${Buffer.from(json).toString('base64')}`)).resolves.toEqual(
      SCHEMA,
    );
    await expect(loadSchemaDocument(`base64://${Buffer.from(json).toString('base64url')}`)).resolves.toEqual(
      SCHEMA,
    );
  });

  it('loads http:// URLs, following redirects', async () => {
    await expect(loadSchemaDocument(`${server.origin}/schema.json`)).resolves.toEqual(SCHEMA);
    await expect(loadSchemaDocument(`${server.origin}/redirect`)).resolves.toEqual(SCHEMA);
  });

  it('fails with identity_schema_unreachable on a non-2xx answer, naming the schema and url', async () => {
    const url = `${server.origin}/missing.json`;
    const error = await loadSchemaDocument(url, { schemaId: 'customer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentitySchemaUnreachableError);
    expect(error).toMatchObject({ code: 'identity_schema_unreachable', schemaId: 'customer', url });
    expect((error as Error).message).toBe(
      `identity schema "customer" (${url}): the server answered HTTP 404`,
    );
  });

  it('fails with identity_schema_unreachable when nothing listens', async () => {
    const port = await closedPort();
    const error = await loadSchemaDocument(`http://127.0.0.1:${port}/schema.json`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentitySchemaUnreachableError);
    expect((error as Error).message).toMatch(/cannot fetch: .*ECONNREFUSED/);
  });

  it('fails with identity_schema_unreachable on a timeout', async () => {
    const error = await loadSchemaDocument(`${server.origin}/hang`, { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdentitySchemaUnreachableError);
    expect((error as Error).message).toContain('no complete answer within 200 ms');
  });

  it('fails with identity_schema_invalid on a body that is not JSON', async () => {
    const error = await loadSchemaDocument(`${server.origin}/not-json`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdentitySchemaInvalidError);
    expect(error).toMatchObject({ code: 'identity_schema_invalid' });
    expect((error as Error).message).toContain('the document is not valid JSON');
  });

  it('fails with identity_schema_invalid on JSON that is not an object, or broken JSON in a file', async () => {
    await expect(loadSchemaDocument(`${server.origin}/array`)).rejects.toThrow('must be a JSON object');
    await expect(loadSchemaDocument(join(dir, 'broken.json'))).rejects.toBeInstanceOf(
      IdentitySchemaInvalidError,
    );
    await expect(
      loadSchemaDocument(`base64://${Buffer.from('nope').toString('base64')}`),
    ).rejects.toBeInstanceOf(IdentitySchemaInvalidError);
  });

  it('refuses bodies above the size cap, declared or streamed', async () => {
    for (const path of ['/big-declared', '/big-chunked']) {
      const error = await loadSchemaDocument(`${server.origin}${path}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentitySchemaUnreachableError);
      expect((error as Error).message).toContain(`larger than ${1024 * 1024} bytes`);
    }
    const url = pathToFileURL(join(dir, 'identity.schema.json')).href;
    await expect(loadSchemaDocument(url, { maxBytes: 10 })).rejects.toThrow('larger than 10 bytes');
    const b64 = `base64://${Buffer.from(JSON.stringify(SCHEMA)).toString('base64')}`;
    await expect(loadSchemaDocument(b64, { maxBytes: 10 })).rejects.toThrow('larger than 10 bytes');
  });

  it('fails with identity_schema_unreachable on a missing file or an unsupported scheme', async () => {
    const missing = await loadSchemaDocument(join(dir, 'nope.json')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(IdentitySchemaUnreachableError);
    expect((missing as Error).message).toContain('ENOENT');
    await expect(loadSchemaDocument(dir)).rejects.toThrow('is not a file');
    await expect(loadSchemaDocument('ftp://example.com/x.json')).rejects.toThrow(
      'unsupported URL scheme "ftp://"',
    );
  });

  it('shortens very long urls in messages', async () => {
    const url = `base64://${Buffer.from(JSON.stringify({ pad: 'x'.repeat(500) })).toString('base64')}`;
    const error = await loadSchemaDocument(url, { maxBytes: 10 }).catch((e: unknown) => e);
    expect((error as Error).message.length).toBeLessThan(200);
    expect((error as IdentitySchemaUnreachableError).url).toBe(url);
  });
});
