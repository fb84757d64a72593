/**
 * Portcullis as Ory Hydra's login UI, as the acceptance tests of its challenges set it up: one
 * Hydra stand-in per suite with challenges registered on it, the config pointing Portcullis at
 * it, a browser flow started with a `login_challenge`, and Kratos's answer when no
 * `oauth2_provider.url` is configured.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { BrowserClient } from './browser-client.js';
import { type HydraCall, type HydraStandIn, startHydraStandIn } from './hydra-admin.js';
import { need } from './suite-server.js';

/** The app whose UI the flows belong to. */
export const APP = 'http://app.example.test';
/** Hydra's public URL, where its authorization endpoint lives. */
export const HYDRA_PUBLIC = 'http://hydra.example.test';

/** Hydra's authorization URL for a challenge: what it puts in the login request's request_url. */
export const authorizeUrl = (challenge: string) =>
  `${HYDRA_PUBLIC}/oauth2/auth?client_id=shop&state=${challenge}`;

/** The Hydra stand-in of one suite, and the challenges its tests register on it. */
export interface HydraLoginUi {
  /** The stand-in; read it inside a test or hook. */
  readonly standIn: HydraStandIn;
  /** Registers a login request under a new challenge (`<prefix>-<n>`) and returns the challenge. */
  challenge(request?: { skip?: boolean; subject?: string }): string;
  /** Every call Portcullis made to Hydra on `challenge`. */
  callsOn(challenge: string): HydraCall[];
  /** The accepts Portcullis sent for `challenge`. */
  acceptsOn(challenge: string): HydraCall[];
}

/**
 * Registers the hooks of a Hydra stand-in for the `describe` (or file) it is called in: started in
 * `beforeAll` (before a server registered later reads its URL), closed in `afterAll`.
 */
export function useHydraStandIn(prefix = 'challenge'): HydraLoginUi {
  let standIn: HydraStandIn | undefined;
  let count = 0;
  beforeAll(async () => {
    standIn = await startHydraStandIn();
  });
  afterAll(async () => {
    await standIn?.close();
  });
  const hydra = () => need(standIn, 'Hydra stand-in');
  return {
    get standIn() {
      return hydra();
    },
    challenge(request = {}) {
      count += 1;
      const challenge = `${prefix}-${count}`;
      return hydra().loginRequest(challenge, { request_url: authorizeUrl(challenge), ...request });
    },
    callsOn: (challenge) => hydra().calls.filter((call) => call.challenge === challenge),
    acceptsOn: (challenge) =>
      hydra()
        .accepts()
        .filter((call) => call.challenge === challenge),
  };
}

/**
 * The `extraConfig` of a Portcullis that is Hydra's login UI for password sign-ins at `APP`:
 * `flows` merged over the login UI's, `oauth2Provider` over `url` and `override_return_to`.
 */
export function passwordLoginUiConfig(
  hydra: HydraStandIn,
  { flows = {}, oauth2Provider = {} }: { flows?: object; oauth2Provider?: object } = {},
): Record<string, unknown> {
  return {
    selfservice: {
      default_browser_return_url: `${APP}/welcome`,
      allowed_return_urls: [`${APP}/`, `${HYDRA_PUBLIC}/`],
      methods: { password: { enabled: true, config: { haveibeenpwned_enabled: false } } },
      flows: { login: { ui_url: `${APP}/login` }, ...flows },
    },
    oauth2_provider: { url: hydra.url, ...oauth2Provider, override_return_to: true },
  };
}

/**
 * A browser flow as its UI loads it: the navigation to the init (with `login_challenge` when one
 * is given), then the flow fetched by the id it redirected with.
 */
export async function startBrowserFlow<Flow>(
  browser: BrowserClient,
  kind: 'login' | 'registration',
  challenge?: string,
): Promise<Flow> {
  const query = challenge === undefined ? '' : `?login_challenge=${challenge}`;
  const init = await browser.request(`/self-service/${kind}/browser${query}`, {
    headers: { accept: 'text/html' },
  });
  expect(init.status).toBe(303);
  const id = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
  const flow = await browser.getJson(`/self-service/${kind}/flows?id=${id}`);
  expect(flow.status).toBe(200);
  return (await flow.json()) as Flow;
}

/** Each init path answers a `login_challenge` with Kratos's 500 when oauth2_provider.url is unset. */
export async function expectChallengeRefusedWithoutProvider(
  publicUrl: string,
  paths: readonly string[],
): Promise<void> {
  for (const path of paths) {
    const answer = await fetch(`${publicUrl}${path}?login_challenge=abc`, {
      headers: { accept: 'application/json' },
    });
    expect(answer.status, path).toBe(500);
    expect(await answer.json(), path).toMatchObject({
      error: {
        code: 500,
        reason:
          'refusing to parse login_challenge query parameter because oauth2_provider.url is invalid or unset',
      },
    });
  }
}
