/**
 * The verification a registration starts, as Kratos master's Verifier and `show_verification_ui`
 * hook: one verification flow per address it mails, so each message verifies its own address;
 * `continue_with` lists `show_verification_ui` only with the `show_verification_ui` hook (one
 * item) or `feature_flags.legacy_continue_with_verification_ui` (one item per address, each
 * address mailed), and the message is sent either way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Configuration, FrontendApi, IdentityApi, type RegistrationFlow } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { testDatabases } from './support/databases.js';
import { codeIn, mailTo } from './support/mail.js';
import { startTestServer, type TestServer } from './support/server.js';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from './support/smtp.js';

const PASSWORD = 'correct horse battery staple 9';

/** Two addresses to verify: the login email and a backup email, both `verification.via: email`. */
const TWO_EMAILS_SCHEMA = {
  $id: 'https://schemas.example.test/two-emails.schema.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': {
            credentials: { password: { identifier: true } },
            verification: { via: 'email' },
          },
        },
        backup_email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': { verification: { via: 'email' } },
        },
      },
      required: ['email', 'backup_email'],
      additionalProperties: false,
    },
  },
};

type ShowVerification = {
  action: 'show_verification_ui';
  flow: { id: string; verifiable_address: string; url?: string };
};
type ContinueWithItem = { action: string } | ShowVerification;

const actions = (items: ContinueWithItem[] | undefined) => (items ?? []).map((item) => item.action);
const shown = (items: ContinueWithItem[] | undefined) =>
  (items ?? []).filter((item): item is ShowVerification => item.action === 'show_verification_ui');

/** The flow id of a message's verification link (`.../self-service/verification?flow=<id>&code=...`). */
function flowOfMail(mail: ReceivedMail): string | null {
  const link = mail.text.split(/\s+/).find((word) => word.includes('/self-service/verification?flow='));
  return link === undefined ? null : new URL(link).searchParams.get('flow');
}

let schemaDir: string;
let smtp: TestSmtpServer;

beforeAll(async () => {
  schemaDir = await mkdtemp(join(tmpdir(), 'portcullis-two-emails-'));
  await writeFile(join(schemaDir, 'two-emails.schema.json'), JSON.stringify(TWO_EMAILS_SCHEMA));
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp?.stop();
  await rm(schemaDir, { recursive: true, force: true });
});

/** A Portcullis with the two-email schema, mailing over the test SMTP server. */
function startServer(
  dsn: string,
  options: { hooks: { hook: string }[]; featureFlags?: Record<string, boolean> },
): Promise<TestServer> {
  return startTestServer({
    dsn,
    watchCourier: true,
    extraConfig: {
      identity: {
        default_schema_id: 'two',
        schemas: [{ id: 'two', url: pathToFileURL(join(schemaDir, 'two-emails.schema.json')).toString() }],
      },
      courier: {
        worker: { pull_wait: '50ms' },
        smtp: { connection_uri: `smtp://127.0.0.1:${smtp.port}/?disable_starttls=true` },
      },
      ...(options.featureFlags ? { feature_flags: options.featureFlags } : {}),
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        flows: {
          registration: { style: 'unified', after: { password: { hooks: options.hooks } } },
          verification: { enabled: true, use: 'code' },
        },
      },
    },
  });
}

async function registerNative(server: TestServer, name: string) {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  const traits = { email: `${name}@example.test`, backup_email: `${name}.backup@example.test` };
  const { data: flow } = await frontend.createNativeRegistrationFlow();
  const { data } = await frontend.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: 'password', password: PASSWORD, traits },
  });
  return { ...traits, identityId: data.identity.id, continueWith: data.continue_with as ContinueWithItem[] };
}

/** The messages queued to `address`, from the admin courier API. */
async function queuedTo(server: TestServer, address: string): Promise<{ template_type: string }[]> {
  const answer = await fetch(
    `${server.adminUrl}/admin/courier/messages?recipient=${encodeURIComponent(address)}`,
  );
  expect(answer.status).toBe(200);
  return (await answer.json()) as { template_type: string }[];
}

describe.each(testDatabases())(
  'feature_flags.legacy_continue_with_verification_ui: a flow per address ($name)',
  (database) => {
    let server: TestServer;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await database.create();
      drop = db.drop;
      server = await startServer(db.dsn, {
        hooks: [{ hook: 'session' }],
        featureFlags: { legacy_continue_with_verification_ui: true },
      });
    });
    afterAll(async () => {
      await server?.close();
      await drop?.();
    });

    it('lists each address with its own flow, and each emailed code verifies its address', async () => {
      const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
      const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
      const sent = smtp.messages.length;
      const ivy = await registerNative(server, 'ivy');

      // Kratos's Verifier adds one item per address, in the identity's order, before the token.
      expect(actions(ivy.continueWith)).toEqual([
        'show_verification_ui',
        'show_verification_ui',
        'set_ory_session_token',
      ]);
      const items = shown(ivy.continueWith);
      expect(items.map((item) => item.flow.verifiable_address)).toEqual([ivy.email, ivy.backup_email]);
      const [primary, backup] = items;
      expect(primary?.flow.id).not.toBe(backup?.flow.id);

      // Each address's message carries its own flow and code.
      const primaryMail = await mailTo(smtp, ivy.email, sent);
      const backupMail = await mailTo(smtp, ivy.backup_email, sent);
      expect(flowOfMail(primaryMail)).toBe(primary?.flow.id);
      expect(flowOfMail(backupMail)).toBe(backup?.flow.id);

      // The second address first: once one flow is done, the other's code still verifies its address.
      for (const [item, mail] of [
        [backup, backupMail],
        [primary, primaryMail],
      ] as const) {
        const { data: verified } = await frontend.updateVerificationFlow({
          flow: item?.flow.id ?? '',
          updateVerificationFlowBody: { method: 'code', code: codeIn(mail.text) },
        });
        expect(verified.state).toBe('passed_challenge');
      }
      const { data: identity } = await admin.getIdentity({ id: ivy.identityId });
      expect(identity.verifiable_addresses?.map((a) => [a.value, a.verified, a.status]).sort()).toEqual([
        [ivy.backup_email, true, 'completed'],
        [ivy.email, true, 'completed'],
      ]);
    });
  },
);

describe('without the legacy flag (Kratos master)', () => {
  let plain: TestServer;
  let withHook: TestServer;
  beforeAll(async () => {
    [plain, withHook] = await Promise.all([
      startServer('memory', { hooks: [{ hook: 'session' }] }),
      startServer('memory', { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), withHook?.close()]);
  });

  it('mails the first address but lists no show_verification_ui without the hook', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: plain.publicUrl }));
    const sent = smtp.messages.length;
    const eve = await registerNative(plain, 'eve');
    expect(actions(eve.continueWith)).toEqual(['set_ory_session_token']);

    // The message is sent anyway, to the first address only (Kratos stops after it), and its
    // code verifies that address in the flow the link names.
    expect(await queuedTo(plain, eve.email)).toMatchObject([{ template_type: 'verification_code_valid' }]);
    expect(await queuedTo(plain, eve.backup_email)).toEqual([]);
    const mail = await mailTo(smtp, eve.email, sent);
    const { data: verified } = await frontend.updateVerificationFlow({
      flow: flowOfMail(mail) ?? '',
      updateVerificationFlowBody: { method: 'code', code: codeIn(mail.text) },
    });
    expect(verified.state).toBe('passed_challenge');
  });

  it('gives an SPA only redirect_browser_to without the hook', async () => {
    const browser = new BrowserClient(plain.publicUrl);
    const flow = (await (
      await browser.getJson('/self-service/registration/browser')
    ).json()) as RegistrationFlow;
    const answer = await browser.postJson(`/self-service/registration?flow=${flow.id}`, {
      method: 'password',
      csrf_token: csrfTokenOf(flow),
      password: PASSWORD,
      traits: { email: 'spa-plain@example.test', backup_email: 'spa-plain.backup@example.test' },
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { continue_with: ContinueWithItem[] };
    expect(actions(body.continue_with)).toEqual(['redirect_browser_to']);
    expect(await queuedTo(plain, 'spa-plain@example.test')).toHaveLength(1);
  });

  it('lists the one flow first with the show_verification_ui hook, and sends a browser to it', async () => {
    const eli = await registerNative(withHook, 'eli');
    expect(actions(eli.continueWith)).toEqual(['show_verification_ui', 'set_ory_session_token']);
    const [item] = shown(eli.continueWith);
    expect(item?.flow.verifiable_address).toBe(eli.email);
    // A native app shows its own code screen: no URL, as Kratos.
    expect(item?.flow).not.toHaveProperty('url');
    expect(await queuedTo(withHook, eli.backup_email)).toEqual([]);

    const browser = new BrowserClient(withHook.publicUrl);
    const flow = (await (
      await browser.getJson('/self-service/registration/browser')
    ).json()) as RegistrationFlow;
    const sent = await browser.postForm(flow.ui.action, {
      csrf_token: csrfTokenOf(flow),
      method: 'password',
      'traits.email': 'form-hook@example.test',
      'traits.backup_email': 'form-hook.backup@example.test',
      password: PASSWORD,
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toMatch(
      new RegExp(`^${withHook.publicUrl}/ui/verification\\?flow=[0-9a-f-]{36}$`),
    );
  });
});
