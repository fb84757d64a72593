/**
 * Kratos's session-to-JWT: `GET /sessions/whoami?tokenize_as=<template>` with templates from
 * `session.whoami.tokenizer.templates`, driven by the official client and verified with the
 * template's public key.
 */

import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { exportJWK, generateKeyPair, jwtVerify } from 'jose';

type PublicKey = Awaited<ReturnType<typeof generateKeyPair>>['publicKey'];

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from './support/failure.js';
import { startTestServer, type TestServer } from './support/server.js';
import { issueSessions } from './support/sessions.js';

const base64 = (text: string) => `base64://${Buffer.from(text).toString('base64')}`;

const MAPPER = `
local session = std.extVar('session');
local claims = std.extVar('claims');
// Trying to set sub changes nothing: the template's subject source has the last word.
{ claims: claims + { email: session.identity.traits.email, aud: ['api.example.test'], sub: 'someone-else' } }
`;

/** An HMAC secret, as Kratos's tokenizer also signs with (the verifier shares it). */
const HMAC_SECRET = Buffer.from('a shared tokenizer secret of 32 bytes!');
const HMAC_JWK = { kty: 'oct', k: HMAC_SECRET.toString('base64url'), alg: 'HS256', kid: 'shared-1' };

describe('whoami tokenize_as (sqlite)', () => {
  let server: TestServer;
  let frontend: FrontendApi;
  let admin: IdentityApi;
  let publicKey: PublicKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    publicKey = pair.publicKey;
    const jwk = { ...(await exportJWK(pair.privateKey)), kid: 'tokenizer-1', alg: 'ES256', use: 'sig' };
    const jwks = base64(JSON.stringify({ keys: [jwk] }));
    server = await startTestServer({
      dsn: 'memory',
      extraConfig: {
        session: {
          whoami: {
            tokenizer: {
              templates: {
                mapped: { ttl: '10m', jwks_url: jwks, claims_mapper_url: base64(MAPPER) },
                external: { jwks_url: jwks, subject_source: 'external_id' },
                keyless: { jwks_url: base64(JSON.stringify({ keys: [] })) },
                shared: { jwks_url: base64(JSON.stringify({ keys: [HMAC_JWK] })) },
              },
            },
          },
        },
      },
    });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
  });

  async function signedIn(email: string, externalId?: string) {
    const { data: identity } = await admin.createIdentity({
      createIdentityBody: {
        schema_id: 'exam',
        traits: { email, fullname: 'Ada', phone_number: 1, user_type: 'student' },
        ...(externalId === undefined ? {} : { external_id: externalId }),
      },
    });
    const [issued] = await issueSessions(server, identity.id);
    if (!issued) throw new Error('no session issued');
    return { identity, ...issued };
  }

  it("returns the session as a JWT signed with the template's key, with Kratos's claims and the mapper's", async () => {
    const { identity, token, session } = await signedIn('jwt@example.com');
    const { data } = await frontend.toSession({ xSessionToken: token, tokenizeAs: 'mapped' });
    expect(data.id).toBe(session.id);
    const verified = await jwtVerify(data.tokenized ?? '', publicKey, {
      issuer: new URL(server.publicUrl).toString(),
      audience: 'api.example.test',
    });
    expect(verified.protectedHeader).toMatchObject({ alg: 'ES256', kid: 'tokenizer-1', typ: 'JWT' });
    expect(verified.payload).toMatchObject({ sub: identity.id, sid: session.id, email: 'jwt@example.com' });
    expect((verified.payload.exp ?? 0) - (verified.payload.iat ?? 0)).toBe(600);
    expect(verified.payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    // Without tokenize_as, whoami is as before.
    expect((await frontend.toSession({ xSessionToken: token })).data.tokenized).toBeUndefined();
  });

  it('signs with an HMAC key when the template names one, as Kratos', async () => {
    const { identity, token } = await signedIn('hmac@example.com');
    const { data } = await frontend.toSession({ xSessionToken: token, tokenizeAs: 'shared' });
    const verified = await jwtVerify(data.tokenized ?? '', new Uint8Array(HMAC_SECRET), {
      algorithms: ['HS256'],
    });
    expect(verified.protectedHeader).toMatchObject({ alg: 'HS256', kid: 'shared-1' });
    expect(verified.payload.sub).toBe(identity.id);
  });

  it('puts the external id in sub when the template says so, and refuses an identity without one', async () => {
    const withExternal = await signedIn('ext@example.com', 'crm-42');
    const { data } = await frontend.toSession({ xSessionToken: withExternal.token, tokenizeAs: 'external' });
    expect((await jwtVerify(data.tokenized ?? '', publicKey)).payload.sub).toBe('crm-42');
    const without = await signedIn('noext@example.com');
    const refused = await failure<{ error: { reason: string } }>(
      frontend.toSession({ xSessionToken: without.token, tokenizeAs: 'external' }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.reason).toContain('does not have an external ID set');
  });

  it("answers Kratos's 400s for an unknown template and a key set without a signing key, and 401 first", async () => {
    const { token } = await signedIn('errors@example.com');
    const unknown = await failure<{ error: { reason: string } }>(
      frontend.toSession({ xSessionToken: token, tokenizeAs: 'nope' }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.reason).toBe('Unable to find tokenizer template "nope".');
    const keyless = await failure<{ error: { reason: string } }>(
      frontend.toSession({ xSessionToken: token, tokenizeAs: 'keyless' }),
    );
    expect(keyless.status).toBe(400);
    expect(keyless.body.error.reason).toBe(
      'Could not find key a suitable key for tokenization in the JWKS url.',
    );
    expect((await failure(frontend.toSession({ tokenizeAs: 'mapped' }))).status).toBe(401);
  });
});
