import { createHmac } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundHttp, type OutboundHttp } from '../../../kernel/http-client.js';
import { generateJwk, publicJwks } from '../../jwks/index.js';
import { defaultRegistry, PipelineCompiler, runPipeline } from '../index.js';
import type { PipelineRequest } from '../session.js';
import { scopeMatches } from './scope-strategy.js';

const noHttp: OutboundHttp = {
  async request() {
    throw new Error('no network in this test');
  },
};
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

let privateKey: Awaited<ReturnType<typeof generateJwk>>;
/** A real client, for key sets that must be fetched over HTTP. */
const http = createOutboundHttp({ disallowPrivateIpRanges: false });
afterAll(() => http.close());
let jwksUrl: string;
let publicJson: string;

beforeAll(async () => {
  privateKey = await generateJwk('RS256', 'rsa-1');
  const published = publicJwks({ keys: [privateKey] });
  publicJson = JSON.stringify(published.keys[0]);
  jwksUrl = `base64://${b64(published)}`;
});

async function token(claims: Record<string, unknown>, alg = 'RS256'): Promise<string> {
  const key = await importJWK(privateKey, alg);
  return new SignJWT({
    iss: 'https://issuer.example',
    aud: ['api'],
    sub: 'alice',
    scp: ['read.orders'],
    ...claims,
  })
    .setProtectedHeader({ alg, kid: 'rsa-1' })
    .setIssuedAt()
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : '5m')
    .sign(key);
}

function compile(config: Record<string, unknown> = {}, http: OutboundHttp = noHttp) {
  const compiler = new PipelineCompiler(
    defaultRegistry(),
    {
      authenticators: {
        jwt: { enabled: true, config: { jwks_urls: [jwksUrl] } },
        anonymous: { enabled: true },
      },
      authorizers: { allow: { enabled: true } },
      mutators: { noop: { enabled: true } },
    },
    { http },
  );
  return compiler.compile({
    id: 'r',
    authenticators: [{ handler: 'jwt', config }, { handler: 'anonymous' }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  });
}

const strict = {
  trusted_issuers: ['https://issuer.example'],
  target_audience: ['api'],
  required_scope: ['read.orders'],
  scope_strategy: 'exact',
};

function request(headers: Record<string, string>, url = 'https://app.example/orders'): PipelineRequest {
  return { method: 'GET', url: new URL(url), headers, captureGroups: [] };
}

async function run(
  jwt: string | undefined,
  config: Record<string, unknown> = strict,
  req?: PipelineRequest,
  http: OutboundHttp = noHttp,
) {
  const compiled = compile(config, http);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
  return runPipeline(
    compiled.pipeline,
    req ?? request(jwt === undefined ? {} : { authorization: `Bearer ${jwt}` }),
  );
}

describe('jwt authenticator', () => {
  it('accepts a good token: subject from sub, claims as extra', async () => {
    const result = await run(await token({ email: 'a@example.com' }));
    expect(result).toMatchObject({
      kind: 'allow',
      subject: 'alice',
      extra: { email: 'a@example.com', iss: 'https://issuer.example' },
    });
    const fromQuery = request({}, `https://app.example/orders?jwt=${await token({})}`);
    const again = await run(undefined, { ...strict, token_from: { query_parameter: 'jwt' } }, fromQuery);
    expect(again).toMatchObject({ kind: 'allow', subject: 'alice' });
  });

  it('is not responsible without a token or for a token that is not a JWT', async () => {
    expect(await run(undefined)).toMatchObject({ kind: 'allow', subject: 'anonymous' });
    const opaque = request({ 'x-token': 'opaque-session-token' });
    const result = await run(undefined, { ...strict, token_from: { header: 'X-Token' } }, opaque);
    expect(result).toMatchObject({ kind: 'allow', subject: 'anonymous' });
  });

  it.each([
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', iss: 'https://issuer.example', aud: ['api'], scp: ['read.orders'] })}.`,
    ],
    [
      'HS256 signed with the public key as secret',
      async () => {
        const head = `${b64({ alg: 'HS256', kid: 'rsa-1' })}.${b64({ sub: 'mallory', iss: 'https://issuer.example', aud: ['api'], scp: ['read.orders'], exp: Math.floor(Date.now() / 1000) + 60 })}`;
        return `${head}.${createHmac('sha256', publicJson).update(head).digest('base64url')}`;
      },
    ],
    ['a wrong issuer', () => token({ iss: 'https://evil.example' })],
    ['a wrong audience', () => token({ aud: ['other'] })],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['a missing scope', () => token({ scp: ['read'] })],
    ['a bad signature', async () => `${(await token({})).slice(0, -4)}AAAA`],
    ['an RS384 token when only RS256 is allowed', () => token({}, 'RS384')],
  ])('refuses %s with 401', async (_name, make) => {
    const result = await run(await make(), { ...strict, allowed_algorithms: ['RS256', 'HS256'] });
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
  });

  it('puts the first scope claim into extra.scp as a list and drops the claim it came from', async () => {
    const fromScope = await run(await token({ scp: undefined, scope: 'a b' }), {});
    expect(fromScope).toMatchObject({ kind: 'allow', extra: { scp: ['a', 'b'] } });
    if (fromScope.kind === 'allow') expect(fromScope.extra).not.toHaveProperty('scope');
    const scopeFirst = await run(await token({ scp: undefined, scopes: ['c'], scope: 'x' }), {});
    expect(scopeFirst).toMatchObject({ kind: 'allow', extra: { scp: ['x'], scopes: ['c'] } });
    if (scopeFirst.kind === 'allow') expect(scopeFirst.extra).not.toHaveProperty('scope');
    const fromScopes = await run(await token({ scp: undefined, scopes: ['c', 'd'] }), {});
    expect(fromScopes).toMatchObject({ kind: 'allow', extra: { scp: ['c', 'd'] } });
    if (fromScopes.kind === 'allow') expect(fromScopes.extra).not.toHaveProperty('scopes');
    const none = await run(await token({ scp: undefined }), {});
    expect(none).toMatchObject({ kind: 'allow', extra: { scp: [] } });
  });

  it('checks required_scope against the first scope claim only (scp, then scope, then scopes)', async () => {
    const config = { required_scope: ['admin'], scope_strategy: 'exact' };
    const mixed = await run(await token({ scp: ['read'], scope: 'admin' }), config);
    expect(mixed).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
    const fromScope = await run(await token({ scp: undefined, scope: 'read admin' }), config);
    expect(fromScope).toMatchObject({ kind: 'allow', subject: 'alice' });
  });

  it('refuses a token without a kid with 401, as Oathkeeper', async () => {
    const key = await importJWK(privateKey, 'RS256');
    const noKid = await new SignJWT({ sub: 'alice', iss: 'https://issuer.example', aud: ['api'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('5m')
      .sign(key);
    const result = await run(noKid, {});
    expect(result).toMatchObject({
      kind: 'error',
      error: { kind: 'unauthorized', status: 401, reason: expect.stringContaining('kid') },
    });
  });

  it('answers 401 when the key sets cannot be loaded, as Oathkeeper', async () => {
    const result = await run(await token({}), { jwks_urls: ['http://127.0.0.1:1/x'] }, undefined, http);
    expect(result).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
  });

  it('validates the config when the rule loads', () => {
    expect(compile({ allowed_algorithms: ['none'] })).toMatchObject({ ok: false });
    expect(compile({ required_scope: ['x'] })).toMatchObject({ ok: false }); // scope_strategy none
    expect(compile({ jwks_urls: ['ftp://keys'] })).toMatchObject({ ok: false });
    expect(compile({ scope_strategy: 'fancy' })).toMatchObject({ ok: false });
  });

  it('matches scopes with fosite strategies', () => {
    expect(scopeMatches('hierarchic', ['orders'], 'orders.read')).toBe(true);
    expect(scopeMatches('hierarchic', ['orders.read'], 'orders')).toBe(false);
    expect(scopeMatches('exact', ['orders'], 'orders.read')).toBe(false);
    expect(scopeMatches('wildcard', ['orders.*'], 'orders.read')).toBe(true);
    // fosite: a trailing * also covers deeper scopes; * needs a non-empty segment.
    expect(scopeMatches('wildcard', ['orders.*'], 'orders.read.all')).toBe(true);
    expect(scopeMatches('wildcard', ['*'], 'orders.read')).toBe(true);
    expect(scopeMatches('wildcard', ['orders.*.all'], 'orders.read.all.x')).toBe(false);
    expect(scopeMatches('wildcard', ['orders.*'], 'orders.')).toBe(false);
    expect(scopeMatches('wildcard', ['orders.*'], 'orders')).toBe(false);
  });
});

describe('jwt authenticator with private keys and secrets in the key set', () => {
  /** `token()` for any key of a set: signed by `key` (a JWK with its private part or secret). */
  async function signedBy(key: Record<string, unknown>, alg: string, claims: Record<string, unknown> = {}) {
    return new SignJWT({ sub: 'alice', ...claims })
      .setProtectedHeader({ alg, kid: String(key.kid) })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importJWK(key, alg));
  }
  const urlOf = (keys: unknown[]) => `base64://${b64({ keys })}`;

  it('verifies with the public half of a private key, as Oathkeeper ("Transform to public key")', async () => {
    // What `portcullis jwks generate` writes, shared with the id_token mutator: private keys.
    const a = await generateJwk('RS256', 'a');
    const b = await generateJwk('ES256', 'b');
    const mixed = urlOf([publicJwks({ keys: [a] }).keys[0], b]);
    for (const [key, alg] of [
      [a, 'RS256'],
      [b, 'ES256'],
    ] as const) {
      const result = await run(await signedBy(key, alg), {
        jwks_urls: [mixed],
        allowed_algorithms: ['RS256', 'ES256'],
      });
      expect(result, `${String(key.kid)} ${JSON.stringify(result)}`).toMatchObject({
        kind: 'allow',
        subject: 'alice',
      });
    }
    // Only the key set's own keys verify: another private key with the same kid does not.
    const other = await generateJwk('ES256', 'b');
    const forged = await run(await signedBy(other, 'ES256'), {
      jwks_urls: [mixed],
      allowed_algorithms: ['ES256'],
    });
    expect(forged).toMatchObject({ kind: 'error', error: { kind: 'unauthorized', status: 401 } });
  });

  it('verifies an HMAC token with an oct key of the set only when the algorithm is allowed', async () => {
    const secret = {
      kty: 'oct',
      kid: 'h',
      use: 'sig',
      alg: 'HS256',
      k: Buffer.from('a shared secret of at least 32 bytes!!').toString('base64url'),
    };
    const rsa = await generateJwk('RS256', 'r');
    const url = urlOf([secret, rsa]);
    const hs = await signedBy(secret, 'HS256');
    expect(await run(hs, { jwks_urls: [url], allowed_algorithms: ['HS256'] })).toMatchObject({
      kind: 'allow',
      subject: 'alice',
    });
    // Not listed: refused before any key is looked at.
    expect(await run(hs, { jwks_urls: [url] })).toMatchObject({ kind: 'error', error: { status: 401 } });
    // An RSA key never serves as an HMAC secret (its public JSON as secret), nor a secret as RSA key.
    const head = `${b64({ alg: 'HS256', kid: 'r' })}.${b64({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })}`;
    const asSecret = JSON.stringify(publicJwks({ keys: [rsa] }).keys[0]);
    const confused = `${head}.${createHmac('sha256', asSecret).update(head).digest('base64url')}`;
    expect(await run(confused, { jwks_urls: [url], allowed_algorithms: ['HS256', 'RS256'] })).toMatchObject({
      kind: 'error',
      error: { status: 401 },
    });
    const rsHeaderOnSecret = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'RS256', kid: 'h' })
      .setExpirationTime('5m')
      .sign(await importJWK(rsa, 'RS256'));
    expect(
      await run(rsHeaderOnSecret, { jwks_urls: [url], allowed_algorithms: ['HS256', 'RS256'] }),
    ).toMatchObject({ kind: 'error', error: { status: 401 } });
    // A secret signed with another secret under the same kid fails.
    const wrong = await signedBy(
      { ...secret, k: Buffer.from('another secret').toString('base64url') },
      'HS256',
    );
    expect(await run(wrong, { jwks_urls: [url], allowed_algorithms: ['HS256'] })).toMatchObject({
      kind: 'error',
      error: { status: 401 },
    });
  });
});
