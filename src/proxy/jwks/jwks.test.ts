import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';
import type { OutboundHttp, OutboundRequest } from '../../kernel/http-client.js';
import {
  findSigningKey,
  generateJwk,
  idTokenJwksUrls,
  JwksStore,
  jwksRoutes,
  parseJwkSet,
  publicJwks,
} from './index.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

class CountingHttp implements OutboundHttp {
  readonly calls: OutboundRequest[] = [];
  constructor(
    public body: string,
    public status = 200,
  ) {}
  async request(req: OutboundRequest) {
    this.calls.push(req);
    if (this.status === 0) throw new Error('connection refused');
    return { status: this.status, headers: {}, firstHeaders: {}, body: Buffer.from(this.body) };
  }
}

describe('JWK sets', () => {
  it('publishes public members only, and never symmetric keys', async () => {
    const set = {
      keys: [
        await generateJwk('RS256', 'rsa'),
        await generateJwk('ES256', 'ec'),
        await generateJwk('EdDSA', 'ed'),
        { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' },
      ],
    };
    const published = publicJwks(set);
    expect(published.keys.map((k) => k.kid)).toEqual(['rsa', 'ec', 'ed']);
    for (const key of published.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      expect(key).toMatchObject({ use: 'sig' });
    }
    expect(Object.keys(published.keys[0] ?? {}).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('signs with the first private key whose use is sig', async () => {
    const enc = { ...(await generateJwk('ES256', 'enc')), use: 'enc' };
    const pub = publicJwks({ keys: [await generateJwk('ES256', 'public-only')] }).keys[0];
    const second = await generateJwk('RS256', 'second');
    const third = await generateJwk('EdDSA', 'third');
    const found = findSigningKey({ keys: [enc, pub ?? {}, second, third] });
    expect(found?.key.kid).toBe('second');
    expect(found?.alg).toBe('RS256');
  });

  it('passes over an HMAC key unless HMAC keys are asked for (the tokenizer), and needs its alg', async () => {
    const noAlg = { kty: 'oct', k: 'c2VjcmV0LW5vLWFsZw', kid: 'no-alg' };
    const hmac = { kty: 'oct', k: 'c2VjcmV0', alg: 'HS256', kid: 'hmac' };
    const rsa = await generateJwk('RS256', 'rsa');
    expect(findSigningKey({ keys: [noAlg, hmac, rsa] })?.key.kid).toBe('rsa');
    expect(findSigningKey({ keys: [noAlg, hmac, rsa] }, { hmac: true })).toEqual({ key: hmac, alg: 'HS256' });
  });

  it('reads base64:// and refuses documents without keys', async () => {
    const store = new JwksStore({ http: new CountingHttp('') });
    const set = { keys: [await generateJwk('ES256', 'a')] };
    const url = `base64://${Buffer.from(JSON.stringify(set)).toString('base64url')}`;
    expect((await store.get(url)).keys[0]?.kid).toBe('a');
    expect(() => parseJwkSet('{"nokeys":1}')).toThrow(/keys/);
    await expect(store.get('ftp://x/keys.json')).rejects.toThrow(/unsupported/);
  });

  it('caches http(s) sets, refreshes after the ttl and at most once per interval, keeps the old set on failure', async () => {
    let now = 1_000_000;
    const first = JSON.stringify({
      keys: [publicJwks({ keys: [await generateJwk('ES256', 'k1')] }).keys[0]],
    });
    const http = new CountingHttp(first);
    const store = new JwksStore({ http, ttlMs: 30_000, minRefreshIntervalMs: 5_000, now: () => now });
    const url = 'https://keys.example/jwks.json';
    await Promise.all([store.get(url), store.get(url), store.get(url)]);
    expect(http.calls).toHaveLength(1);
    expect(http.calls[0]).toMatchObject({ method: 'GET', timeoutMs: 1000 });
    await store.refresh(url); // a kid miss right after a load: rate-limited
    expect(http.calls).toHaveLength(1);
    now += 6_000;
    http.body = JSON.stringify({ keys: [] });
    expect((await store.refresh(url)).keys).toHaveLength(0);
    expect(http.calls).toHaveLength(2);
    now += 31_000;
    http.status = 0;
    expect((await store.get(url)).keys).toHaveLength(0); // stale but served
    expect(http.calls).toHaveLength(3);
    await expect(new JwksStore({ http }).get(url)).rejects.toThrow(/refused/);
  });

  it('serves the public keys of every id_token set at /.well-known/jwks.json', async () => {
    const a = { keys: [await generateJwk('ES256', 'a'), await generateJwk('RS256', 'old')] };
    const b = { keys: [await generateJwk('EdDSA', 'b')] };
    const enc = (s: object) => `base64://${Buffer.from(JSON.stringify(s)).toString('base64')}`;
    const urls = idTokenJwksUrls(
      { mutators: { id_token: { enabled: true, config: { jwks_url: enc(a) } } } },
      [
        { id: 'r', mutators: [{ handler: 'id_token', config: { jwks_url: enc(b) } }, { handler: 'noop' }] },
        { id: 's', mutators: [{ handler: 'id_token', config: { jwks_url: enc(a) } }] },
      ],
    );
    expect(urls).toHaveLength(2);
    const app = Fastify();
    await app.register(
      jwksRoutes({ store: new JwksStore({ http: new CountingHttp('') }), urls: () => urls }),
    );
    const response = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(response.statusCode).toBe(200);
    const served = response.json() as { keys: Array<Record<string, unknown>> };
    expect(served.keys.map((k) => k.kid)).toEqual(['a', 'old', 'b']);
    for (const key of served.keys) for (const m of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(m);
    await app.close();
  });
});

describe('portcullis jwks generate', () => {
  it('writes a set that loads and signs, appends a key first for rotation, and rejects other algorithms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jwks-'));
    const file = join(dir, 'keys.json');
    await buildProgram().parseAsync([
      'node',
      'portcullis',
      'jwks',
      'generate',
      '--alg',
      'ES256',
      '--kid',
      'k1',
      '--out',
      file,
    ]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const store = new JwksStore({ http: new CountingHttp(''), cwd: dir });
    const first = await store.signingKey('file://keys.json');
    expect(first).toMatchObject({ alg: 'ES256', kid: 'k1' });

    await buildProgram().parseAsync([
      'node',
      'portcullis',
      'jwks',
      'generate',
      '--alg',
      'EdDSA',
      '--append',
      file,
    ]);
    const rotated = parseJwkSet(await readFile(file, 'utf8'));
    expect(rotated.keys).toHaveLength(2);
    expect(rotated.keys[0]).toMatchObject({ alg: 'EdDSA', use: 'sig', kty: 'OKP' });
    expect(rotated.keys[0]?.kid).toMatch(/^[0-9a-f-]{36}$/);
    expect(rotated.keys[1]?.kid).toBe('k1');

    // A token from the new key verifies against the published set, which still holds the old key.
    const fresh = new JwksStore({ http: new CountingHttp(''), cwd: dir });
    const signing = await fresh.signingKey(`file://${file}`);
    expect(signing.alg).toBe('EdDSA');
    const jwt = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid ?? '' })
      .sign(signing.key);
    await jwtVerify(jwt, createLocalJWKSet(publicJwks(rotated)));

    const program = buildProgram();
    program.configureOutput({ writeErr: () => undefined });
    await expect(
      program.parseAsync(['node', 'portcullis', 'jwks', 'generate', '--alg', 'HS256']),
    ).rejects.toThrow(/Allowed choices/);
  });
});
