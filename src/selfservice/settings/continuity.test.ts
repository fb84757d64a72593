import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowStore, type FlowStore } from '../../persistence/flow-store.js';
import { testEngines } from '../../persistence/testing/engines.js';
import { newFlow, type SelfServiceFlow } from '../flow/flow.js';
import type { CookieSettings } from '../flow/http-context.js';
import { testCookies } from '../flow/testing/cookie-settings.js';
import { uiContainer } from '../flow/ui.js';
import { pauseSettingsChange, resumeSettingsChange, SETTINGS_CONTINUITY_COOKIE } from './continuity.js';

const OWNER = '0b5a2c64-6c43-4b4f-9d0e-9a0a3f3c0a01';
const OTHER = '0b5a2c64-6c43-4b4f-9d0e-9a0a3f3c0a02';
const SECRET_PASSWORD = 'the new password nobody may read';

const cookies = (keys: string[]): CookieSettings => ({
  ...testCookies,
  csrfCookieName: 'csrf_token_test',
  cookieKeys: keys,
});

describe.each(testEngines())('settings continuity ($name)', (engine) => {
  let drop: () => Promise<void>;
  let flows: FlowStore;
  let app: FastifyInstance;
  let now = new Date('2030-01-01T00:00:00Z');
  let keys = ['the-current-cookie-secret-long-enough'];

  beforeAll(async () => {
    const database = await engine.open();
    drop = database.drop;
    flows = createFlowStore(database.db);
    const deps = () => ({ flows, cookies: cookies(keys), now: () => now });
    app = Fastify();
    await app.register(fastifyCookie);
    // The two halves, as the submit route pauses and the submit URL resumes.
    app.post('/pause', async (request, reply) => {
      const { flow: id, identity } = request.query as { flow: string; identity: string };
      const flow = (await flows.get('settings', id)) as SelfServiceFlow;
      await pauseSettingsChange(deps(), reply, flow, identity, {
        body: request.body,
        contentType: request.headers['content-type'],
        csrfToken: 'the-token',
      });
      return reply.send({});
    });
    app.get('/resume', async (request, reply) => {
      const { flow: id, identity } = request.query as { flow: string; identity: string };
      const flow = (await flows.get('settings', id)) as SelfServiceFlow;
      const resumed = await resumeSettingsChange(deps(), request, reply, flow, identity);
      return reply.send(resumed === undefined ? { resumed: false } : { resumed: true, ...resumed.submitted });
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  async function settingsFlow(identityId = OWNER): Promise<SelfServiceFlow> {
    const flow = newFlow({
      kind: 'settings',
      type: 'browser',
      requestUrl: 'http://127.0.0.1/self-service/settings/browser',
      returnTo: null,
      lifespanMs: 3_600_000,
      ui: (id) => uiContainer(`http://127.0.0.1/self-service/settings?flow=${id}`, []),
      now,
    });
    const stored = { ...flow, state: 'show_form', internal: { identity_id: identityId } };
    await flows.create(stored);
    return stored;
  }

  /** Pauses a password change on `flow` for `identity`; returns the continuity cookie. */
  async function pause(flow: SelfServiceFlow, identity = OWNER): Promise<string> {
    const response = await app.inject({
      method: 'POST',
      url: `/pause?flow=${flow.id}&identity=${identity}`,
      payload: { method: 'password', password: SECRET_PASSWORD },
    });
    const cookie = response.cookies.find((c) => c.name === SETTINGS_CONTINUITY_COOKIE);
    expect(cookie?.maxAge).toBe(900);
    expect(cookie?.httpOnly).toBe(true);
    return cookie?.value ?? '';
  }

  async function resume(flow: SelfServiceFlow, cookie: string, identity = OWNER) {
    const response = await app.inject({
      method: 'GET',
      url: `/resume?flow=${flow.id}&identity=${identity}`,
      cookies: { [SETTINGS_CONTINUITY_COOKIE]: cookie },
    });
    // The browser's copy is cleared whatever it held.
    expect(response.cookies.find((c) => c.name === SETTINGS_CONTINUITY_COOKIE)?.value).toBe('');
    return response.json() as { resumed: boolean; body?: unknown; csrfToken?: string };
  }

  it('gives back what was paused, once, and keeps no clear text of it in the flow or the cookie', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const stored = await flows.get('settings', flow.id);
    expect(JSON.stringify(stored?.internal)).not.toContain(SECRET_PASSWORD);
    expect(Buffer.from(cookie.slice(cookie.indexOf('.') + 1), 'base64url').toString('latin1')).not.toContain(
      SECRET_PASSWORD,
    );

    expect(await resume(flow, cookie)).toEqual({
      resumed: true,
      body: { method: 'password', password: SECRET_PASSWORD },
      contentType: 'application/json',
      csrfToken: 'the-token',
    });
    expect(await resume(flow, cookie)).toEqual({ resumed: false });
    expect((await flows.get('settings', flow.id))?.internal).toEqual({ identity_id: OWNER });
  });

  it('of racing copies of the cookie, exactly one resumes', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const answers = await Promise.all([1, 2, 3, 4].map(() => resume(flow, cookie)));
    expect(answers.filter((a) => a.resumed)).toHaveLength(1);
  });

  it('is bound to the identity that paused it', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    expect(await resume(flow, cookie, OTHER)).toEqual({ resumed: false });
  });

  it('is bound to the flow it was paused on', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const another = await settingsFlow();
    // Even with the container copied onto the other flow, the cookie names its own.
    await flows.update({ ...another, internal: { ...(await flows.get('settings', flow.id))?.internal } });
    expect(await resume(another, cookie)).toEqual({ resumed: false });
  });

  it('a container moved to another identity in the store does not open', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const paused = (await flows.get('settings', flow.id)) as SelfServiceFlow;
    const container = paused.internal.settings_continuity as Record<string, string>;
    await flows.update({
      ...paused,
      internal: { identity_id: OTHER, settings_continuity: { ...container, identity_id: OTHER } },
    });
    // The payload was sealed for the owner: the other identity gets nothing out of it.
    expect(await resume(flow, cookie, OTHER)).toEqual({ resumed: false });
  });

  it('refuses a changed or forged cookie', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const at = cookie.length - 3;
    const changed = cookie.slice(0, at) + (cookie[at] === 'A' ? 'B' : 'A') + cookie.slice(at + 1);
    expect(await resume(flow, changed)).toEqual({ resumed: false });
    expect(await resume(flow, 'sc1.AAAA')).toEqual({ resumed: false });
    // The container is still there for the real cookie.
    expect((await resume(flow, cookie)).resumed).toBe(true);
  });

  it('expires after 15 minutes', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const paused = now;
    now = new Date(paused.getTime() + 15 * 60_000);
    try {
      expect(await resume(flow, cookie)).toEqual({ resumed: false });
    } finally {
      now = paused;
    }
  });

  it('opens under a rotated cookie secret ring, not once the secret is retired', async () => {
    const flow = await settingsFlow();
    const cookie = await pause(flow);
    const before = keys;
    keys = ['a-newer-cookie-secret-long-enough', ...before];
    expect((await resume(flow, cookie)).resumed).toBe(true);

    const again = await settingsFlow();
    keys = before;
    const old = await pause(again);
    keys = ['a-newer-cookie-secret-long-enough'];
    try {
      expect(await resume(again, old)).toEqual({ resumed: false });
    } finally {
      keys = before;
    }
  });
});
