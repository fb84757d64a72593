import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpReceiver, startHttpReceiver } from '../../../../test/support/http-receiver.js';
import { createOutboundHttp, type OutboundHttpClient } from '../../../kernel/http-client.js';
import type { PipelineDeps, SessionChecker, SessionCheckRequest, SessionCheckResult } from '../handler.js';
import type { PipelineRequest } from '../session.js';
import { checkSession, prepareSessionCheck, type SessionCheckConfig } from './session-check.js';

const OWN_WHOAMI = 'http://127.0.0.1:4433/sessions/whoami';

/** Stands in for this process's whoami: answers `answer()` and records what it was given. */
class HeadersOnlyChecker implements SessionChecker {
  readonly headers: Array<Readonly<Record<string, string>>> = [];
  readonly requests: SessionCheckRequest[] = [];
  constructor(private readonly answer: () => SessionCheckResult) {}
  handles(url: URL): boolean {
    return url.href.startsWith('http://127.0.0.1:4433/');
  }
  async check(request: SessionCheckRequest): Promise<SessionCheckResult> {
    this.requests.push(request);
    return this.answer();
  }
  async checkHeaders(headers: Readonly<Record<string, string>>): Promise<SessionCheckResult> {
    this.headers.push(headers);
    return this.answer();
  }
}

function prepared(raw: Record<string, unknown>, deps: PipelineDeps): SessionCheckConfig {
  const result = prepareSessionCheck(raw, deps, { subjectFrom: 'identity.id', alwaysForward: ['cookie'] });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

const request: PipelineRequest = {
  method: 'POST',
  url: new URL('https://app.example/exams/42?x=1'),
  headers: {
    cookie: 'ory_kratos_session=abc',
    authorization: 'Bearer tok',
    'x-session-token': '',
    'x-other': 'not forwarded',
    'x-multi': ['first', 'second'],
  },
  captureGroups: [],
};

/** A whoami answer that counts how often its `identity` is read. */
function countedBody(id: string): { body: object; reads: () => number } {
  let reads = 0;
  const identity = { id, traits: { email: `${id}@example.com` } };
  const body = {
    active: true,
    get identity() {
      reads++;
      return identity;
    },
  };
  return { body, reads: () => reads };
}

let receiver: HttpReceiver;
let http: OutboundHttpClient;

beforeAll(async () => {
  receiver = await startHttpReceiver();
  http = createOutboundHttp({ disallowPrivateIpRanges: false });
});
afterAll(async () => {
  await receiver.stop();
  await http.close();
});

describe('session checks answered in process from headers alone', () => {
  it('gives the checker the very headers a remote check sends, and never calls check()', async () => {
    const options = {
      forward_http_headers: ['Authorization', 'X-Session-Token', 'X-Multi'],
      additional_headers: { 'X-Extra': 'yes', 'X-Other': 'added' },
      preserve_host: true,
      preserve_path: true,
    };
    receiver.script('/sessions/whoami', [{ status: 200, body: { identity: { id: 'id-1' } } }]);
    const remote = prepared({ ...options, check_session_url: `${receiver.url}/sessions/whoami` }, { http });
    expect(await checkSession(request, remote)).toMatchObject({ kind: 'authenticated', subject: 'id-1' });
    const sent = receiver.to('/sessions/whoami')[0]?.headers ?? {};

    const checker = new HeadersOnlyChecker(() => ({ kind: 'ok', body: { identity: { id: 'id-1' } } }));
    const local = prepared({ ...options, check_session_url: OWN_WHOAMI }, { http, sessionChecker: checker });
    expect(await checkSession(request, local)).toMatchObject({ kind: 'authenticated', subject: 'id-1' });
    expect(checker.requests).toEqual([]);
    const given = checker.headers[0] ?? {};
    expect(given).toEqual({
      cookie: 'ory_kratos_session=abc',
      authorization: 'Bearer tok',
      'x-multi': 'first',
      'x-extra': 'yes',
      'x-other': 'added',
      'x-forwarded-host': 'app.example',
    });
    for (const [name, value] of Object.entries(given)) expect(sent[name], name).toBe(value);
  });

  it('falls back to check() with the whole request for a checker without checkHeaders', async () => {
    const calls: SessionCheckRequest[] = [];
    const checker: SessionChecker = {
      handles: () => true,
      async check(req) {
        calls.push(req);
        return { kind: 'ok', body: { identity: { id: 'id-2' } } };
      },
    };
    const cfg = prepared({ check_session_url: OWN_WHOAMI }, { http, sessionChecker: checker });
    expect(await checkSession(request, cfg)).toMatchObject({ subject: 'id-2' });
    expect(calls[0]?.url.href).toBe('http://127.0.0.1:4433/exams/42');
    expect(calls[0]?.method).toBe('POST');
  });
});

describe('subject and extra kept per shared answer', () => {
  it('reads a shared body once, and a new body again', async () => {
    let current = countedBody('id-1');
    const checker = new HeadersOnlyChecker(() => ({ kind: 'ok', body: current.body, shared: true }));
    const cfg = prepared(
      { check_session_url: OWN_WHOAMI, extra_from: 'identity.traits' },
      { http, sessionChecker: checker },
    );
    for (let i = 0; i < 3; i++)
      expect(await checkSession(request, cfg)).toEqual({
        kind: 'authenticated',
        subject: 'id-1',
        extra: { email: 'id-1@example.com' },
      });
    // subject_from and extra_from each read it once.
    expect(current.reads()).toBe(2);

    // The session changed: its cache entry, hence its answer, is another object.
    current = countedBody('id-2');
    expect(await checkSession(request, cfg)).toMatchObject({ subject: 'id-2' });
    expect(await checkSession(request, cfg)).toMatchObject({ subject: 'id-2' });
    expect(current.reads()).toBe(2);
  });

  it('reads an answer that is not shared every time', async () => {
    const answer = countedBody('id-3');
    const checker = new HeadersOnlyChecker(() => ({ kind: 'ok', body: answer.body }));
    const cfg = prepared(
      { check_session_url: OWN_WHOAMI, extra_from: 'identity.traits' },
      { http, sessionChecker: checker },
    );
    await checkSession(request, cfg);
    await checkSession(request, cfg);
    expect(answer.reads()).toBe(4);
  });

  it('keeps nothing for an answer it refuses', async () => {
    const body = { identity: { id: 7 } };
    const checker = new HeadersOnlyChecker(() => ({ kind: 'ok', body, shared: true }));
    const cfg = prepared({ check_session_url: OWN_WHOAMI }, { http, sessionChecker: checker });
    for (let i = 0; i < 2; i++) {
      const result = await checkSession(request, cfg);
      expect(result.kind === 'error' && result.error.status).toBe(403);
    }
    expect(cfg.identified.has(body)).toBe(false);
  });

  it('keeps what each rule reads apart', async () => {
    const { body } = countedBody('id-4');
    const checker = new HeadersOnlyChecker(() => ({ kind: 'ok', body, shared: true }));
    const byId = prepared({ check_session_url: OWN_WHOAMI }, { http, sessionChecker: checker });
    const byEmail = prepared(
      { check_session_url: OWN_WHOAMI, subject_from: 'identity.traits.email' },
      { http, sessionChecker: checker },
    );
    expect(await checkSession(request, byId)).toMatchObject({ subject: 'id-4' });
    expect(await checkSession(request, byEmail)).toMatchObject({ subject: 'id-4@example.com' });
    expect(await checkSession(request, byId)).toMatchObject({ subject: 'id-4' });
  });
});
