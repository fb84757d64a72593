import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HydraStandIn, startHydraStandIn } from '../../test/support/hydra-admin.js';
import { freePort } from '../../test/support/ports.js';
import { AppError } from '../kernel/errors.js';
import { createOutboundHttp } from '../kernel/http-client.js';
import { createHydraAdmin, type HydraAdmin } from './admin-client.js';

/** Kratos's retries, with waits short enough for a test. */
const FAST = { maxRetries: 2, attemptTimeoutMs: 5_000, waitMinMs: 1, waitMaxMs: 5 };

const http = createOutboundHttp({ disallowPrivateIpRanges: false });
let hydra: HydraStandIn;

beforeAll(async () => {
  hydra = await startHydraStandIn();
});
afterAll(async () => {
  await hydra.close();
  await http.close();
});

function client(url: string, headers: Record<string, string> = {}): HydraAdmin {
  return createHydraAdmin({
    http,
    provider: { url: new URL(url), headers, overrideReturnTo: false },
    remember: false,
    rememberForSeconds: 3600,
    policy: FAST,
  });
}

/** The AppError a call rejects with, as its JSON body. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error.toJSON();
}

describe('Hydra admin client', () => {
  it('sends the challenge encoded, the configured headers over its own, and Kratos’s accept body', async () => {
    const challenge = hydra.loginRequest('a b&c=d', { subject: 'someone' });
    const admin = client(`${hydra.url}/`, { Accept: 'application/x-custom', 'X-Gateway': 'yes' });
    const request = await admin.getLoginRequest(challenge);
    expect(request).toMatchObject({ challenge, skip: false, subject: 'someone' });
    expect(request).not.toHaveProperty('device_challenge_id');
    const redirectTo = await admin.acceptLoginRequest({
      challenge,
      identityId: 'identity-1',
      sessionId: 'session-1',
      methods: ['password', 'oidc'],
    });
    expect(redirectTo).toContain('login_verifier=');
    const calls = hydra.calls.filter((call) => call.challenge === challenge);
    expect(calls.map((call) => [call.method, call.path])).toEqual([
      ['GET', '/admin/oauth2/auth/requests/login'],
      ['PUT', '/admin/oauth2/auth/requests/login/accept'],
    ]);
    expect(calls.map((call) => [call.headers.accept, call.headers['x-gateway']])).toEqual([
      ['application/x-custom', 'yes'],
      ['application/x-custom', 'yes'],
    ]);
    expect(calls[1]?.body).toEqual({
      subject: 'identity-1',
      identity_provider_session_id: 'session-1',
      remember: false,
      remember_for: 3600,
      amr: ['password', 'oidc'],
    });
  });

  it('refuses an empty challenge without calling Hydra', async () => {
    expect(await refusal(client(hydra.url).getLoginRequest(''))).toMatchObject({
      error: { code: 400, reason: 'invalid login_challenge' },
    });
  });

  it('tries a 5xx three times, then answers 500 with the status (no hint without a body read)', async () => {
    const challenge = hydra.loginRequest('flaky', {});
    hydra.fail(challenge, 503, { error: 'unavailable', error_hint: 'down' });
    expect(await refusal(client(hydra.url).getLoginRequest(challenge))).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        reason: 'Unable to get OAuth 2.0 Login Challenge.',
        message: 'An internal server error occurred, please contact the system administrator',
        details: { status_code: 503 },
      },
    });
    expect(hydra.calls.filter((call) => call.challenge === challenge)).toHaveLength(3);
  });

  it('answers 500 without details when Hydra cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const body = await refusal(
      client(closed).acceptLoginRequest({ challenge: 'x', identityId: 'i', sessionId: 's', methods: [] }),
    );
    expect(body).toEqual({
      error: {
        code: 500,
        status: 'Internal Server Error',
        reason: 'Unable to accept OAuth 2.0 Login Challenge.',
        message: 'An internal server error occurred, please contact the system administrator',
      },
    });
  });

  it('refuses a login request it cannot decode as Kratos does: 400 with the 200 status', async () => {
    const challenge = hydra.loginRequest('odd', {});
    hydra.fail(challenge, 200, { challenge, skip: 'no' });
    expect(await refusal(client(hydra.url).getLoginRequest(challenge))).toMatchObject({
      error: { code: 400, reason: 'Unable to get OAuth 2.0 Login Challenge.', details: { status_code: 200 } },
    });
  });

  it('gives an empty hint for an error body without one', async () => {
    const challenge = hydra.loginRequest('no-hint', {});
    hydra.fail(challenge, 401, { error: 'unauthorized' });
    expect(await refusal(client(hydra.url).getLoginRequest(challenge))).toMatchObject({
      error: { code: 400, details: { status_code: 401, oauth2_error_hint: '' } },
    });
  });
});
