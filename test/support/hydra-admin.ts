import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './ports.js';

/** One call Portcullis made to the stand-in. */
export interface HydraCall {
  method: string;
  path: string;
  challenge: string | null;
  headers: IncomingHttpHeaders;
  /** The JSON body, for the accept. */
  body: unknown;
}

/** A login request the stand-in knows, as Hydra's admin API returns it. */
export interface StandInLoginRequest {
  skip: boolean;
  subject: string;
  request_url: string;
}

/** Where the stand-in's accept sends the browser: Hydra's `redirect_to`. */
export const hydraRedirectFor = (challenge: string) =>
  `http://hydra.example.test/oauth2/auth?client_id=shop&login_verifier=verifier-${challenge}`;

/**
 * A real HTTP server on loopback standing in for Ory Hydra's admin API (login requests only):
 * it records every call, answers `GET /admin/oauth2/auth/requests/login` for the challenges it
 * was given (404 with Hydra's error body otherwise), and accepts them with a `redirect_to`.
 * A challenge can be made to fail with any status and body.
 */
export interface HydraStandIn {
  readonly url: string;
  readonly calls: HydraCall[];
  /** Registers a login request; the challenge is returned. */
  loginRequest(challenge: string, request: Partial<StandInLoginRequest>): string;
  /** Calls on `challenge` (only its accept, with `on: 'accept'`) answer this instead. */
  fail(challenge: string, status: number, body: unknown, on?: 'all' | 'accept'): void;
  accepts(): HydraCall[];
  close(): Promise<void>;
}

export async function startHydraStandIn(): Promise<HydraStandIn> {
  const port = await freePort();
  const calls: HydraCall[] = [];
  const requests = new Map<string, StandInLoginRequest>();
  const failures = new Map<string, { status: number; body: unknown; on: 'all' | 'accept' }>();

  function answer(call: HydraCall): { status: number; body: unknown } {
    const challenge = call.challenge ?? '';
    const failure = failures.get(challenge);
    if (failure && (failure.on === 'all' || call.path.endsWith('/accept'))) return failure;
    const known = requests.get(challenge);
    if (!known) {
      return {
        status: 404,
        body: {
          error: 'Not Found',
          error_description: 'Unable to locate the requested resource',
          error_hint: 'The login challenge does not exist.',
          status_code: 404,
        },
      };
    }
    if (call.method === 'GET' && call.path === '/admin/oauth2/auth/requests/login') {
      return {
        status: 200,
        body: {
          challenge,
          ...known,
          client: { client_id: 'shop', client_name: 'The Shop' },
          requested_scope: ['openid', 'offline'],
          requested_access_token_audience: [],
          oidc_context: {},
          session_id: `hydra-session-${challenge}`,
          // A field newer Hydras send that Kratos's OAuth2LoginRequest does not list.
          device_challenge_id: null,
        },
      };
    }
    if (call.method === 'PUT' && call.path === '/admin/oauth2/auth/requests/login/accept') {
      return { status: 200, body: { redirect_to: hydraRedirectFor(challenge) } };
    }
    return { status: 405, body: { error: 'method not allowed' } };
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://hydra');
      const text = Buffer.concat(chunks).toString('utf8');
      const call: HydraCall = {
        method: req.method ?? '',
        path: url.pathname,
        challenge: url.searchParams.get('login_challenge'),
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
      };
      calls.push(call);
      const { status, body } = answer(call);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    loginRequest(challenge, request) {
      requests.set(challenge, { skip: false, subject: '', request_url: '', ...request });
      return challenge;
    },
    fail(challenge, status, body, on = 'all') {
      failures.set(challenge, { status, body, on });
    },
    accepts: () => calls.filter((call) => call.path.endsWith('/accept')),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
