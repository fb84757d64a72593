import Fastify from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { generateJwk, idTokenJwksUrls, jwksRoutes, jwksStoreFor } from '../../jwks/index.js';
import { defaultRegistry, PipelineCompiler, type PipelineGlobalConfig, runPipeline } from '../index.js';

const http: OutboundHttp = {
  async request() {
    throw new Error('no network in this test');
  },
};

describe('id_token mutator', () => {
  it('mints a JWT that verifies against the served JWKS, cached per subject and claims', async () => {
    const set = { keys: [await generateJwk('ES256', 'new'), await generateJwk('RS256', 'old')] };
    const global: PipelineGlobalConfig = {
      authenticators: { anonymous: { enabled: true, config: { subject: 'guest' } } },
      authorizers: { allow: { enabled: true } },
      mutators: {
        id_token: {
          enabled: true,
          config: {
            issuer_url: 'https://proxy.example/',
            jwks_url: `base64://${Buffer.from(JSON.stringify(set)).toString('base64')}`,
            ttl: '1m',
          },
        },
      },
    };
    const rule = {
      id: 'r',
      authenticators: [{ handler: 'anonymous' }],
      authorizer: { handler: 'allow' },
      mutators: [
        {
          handler: 'id_token',
          config: { claims: '{"aud": ["upstream"], "path": "{{ .MatchContext.URL.Path }}", "iss": "spoof"}' },
        },
      ],
    };
    const compiler = new PipelineCompiler(defaultRegistry(), global, { http });
    const compiled = compiler.compile(rule);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
    const req = { method: 'GET', url: new URL('https://app.example/a'), headers: {}, captureGroups: [] };
    const result = await runPipeline(compiled.pipeline, req);
    if (result.kind !== 'allow') throw new Error(JSON.stringify(result));
    const token = result.headers.Authorization?.replace(/^Bearer /, '') ?? '';

    const app = Fastify();
    await app.register(
      jwksRoutes({ store: jwksStoreFor(http), urls: () => idTokenJwksUrls(global, [rule]) }),
    );
    const served = (
      await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    ).json() as JSONWebKeySet;
    await app.close();
    expect(served.keys.map((k) => k.kid)).toEqual(['new', 'old']);

    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(served), {
      issuer: 'https://proxy.example/',
      audience: 'upstream',
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'new', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'guest', path: '/a', iss: 'https://proxy.example/' });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe('string');

    // Warm cache: same subject and claims give the same token; another path renders other claims.
    const again = await runPipeline(compiled.pipeline, req);
    expect(again).toMatchObject({ kind: 'allow', headers: { Authorization: `Bearer ${token}` } });
    const other = await runPipeline(compiled.pipeline, { ...req, url: new URL('https://app.example/b') });
    expect(other.kind === 'allow' && other.headers.Authorization).not.toBe(`Bearer ${token}`);
    expect(decodeProtectedHeader(token).kid).toBe('new');
  });

  it('is validated when the rule loads', () => {
    const publicOnly = `base64://${Buffer.from(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] })).toString('base64')}`;
    const compiler = new PipelineCompiler(
      defaultRegistry(),
      {
        authenticators: { noop: { enabled: true } },
        authorizers: { allow: { enabled: true } },
        mutators: { id_token: { enabled: true } },
      },
      { http },
    );
    const compile = (config: Record<string, unknown>) =>
      compiler.compile({
        id: 'r',
        authenticators: [{ handler: 'noop' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'id_token', config }],
      });
    expect(compile({ issuer_url: 'x', jwks_url: publicOnly })).toMatchObject({ ok: false });
    expect(compile({ issuer_url: 'x', jwks_url: 'file:///nonexistent/keys.json' })).toMatchObject({
      ok: false,
    });
    expect(compile({ jwks_url: 'file:///x.json' })).toMatchObject({ ok: false }); // issuer_url required
    expect(compile({ issuer_url: 'x', jwks_url: 'file:///x.json', ttl: '15 minutes' })).toMatchObject({
      ok: false,
    });
    expect(compile({ issuer_url: 'x', jwks_url: 'file:///x.json', claims: '{{ if }}' })).toMatchObject({
      ok: false,
    });
  });

  it('refuses claims that do not render a JSON object, every time, and signs without a claims template', async () => {
    const set = { keys: [await generateJwk('ES256', 'k')] };
    const compiler = new PipelineCompiler(
      defaultRegistry(),
      {
        authenticators: { anonymous: { enabled: true, config: { subject: 'guest' } } },
        authorizers: { allow: { enabled: true } },
        mutators: {
          id_token: {
            enabled: true,
            config: {
              issuer_url: 'https://proxy.example/',
              jwks_url: `base64://${Buffer.from(JSON.stringify(set)).toString('base64')}`,
            },
          },
        },
      },
      { http },
    );
    const pipeline = (config: Record<string, unknown>) => {
      const compiled = compiler.compile({
        id: 'r',
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'id_token', config }],
      });
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.issues));
      return compiled.pipeline;
    };
    const req = (path: string) => ({
      method: 'GET',
      url: new URL(`https://app.example${path}`),
      headers: {},
      captureGroups: [],
    });
    // Renders JSON for /ok, something else for any other path.
    const claims = pipeline({
      claims:
        '{{ if eq .MatchContext.URL.Path "/ok" }}{"aud": "a"}{{ else if eq .MatchContext.URL.Path "/array" }}[1]{{ else if eq .MatchContext.URL.Path "/empty" }}{{ else }}{"aud": {{ end }}',
    });
    for (const path of ['/array', '/empty', '/broken', '/array']) {
      const result = await runPipeline(claims, req(path));
      expect(result, path).toMatchObject({ kind: 'error', error: { status: 500 } });
      expect(result.kind === 'error' && result.error.reason, path).toMatch(/did not render a JSON object/);
    }
    const first = await runPipeline(claims, req('/ok'));
    expect(first).toMatchObject({ kind: 'allow' });
    expect(await runPipeline(claims, req('/ok'))).toEqual(first);

    const plain = await runPipeline(pipeline({}), req('/'));
    const token = plain.kind === 'allow' ? (plain.headers.Authorization ?? '').replace(/^Bearer /, '') : '';
    const { payload } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [{ ...set.keys[0], d: undefined }] }),
    );
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'iss', 'jti', 'nbf', 'sub']);
  });
});
