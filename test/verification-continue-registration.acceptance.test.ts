/**
 * The verification a registration starts, as Kratos master's Verifier and `show_verification_ui`
 * hook: one verification flow per address it mails, so each message verifies its own address;
 * `continue_with` lists `show_verification_ui` only with the `show_verification_ui` hook (one
 * item) or `feature_flags.legacy_continue_with_verification_ui` (one item per address, each
 * address mailed), and the message is sent either way.
 */
import { Configuration, FrontendApi, IdentityApi, type RegistrationFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { courierServerOptions, queuedTo, useSmtpServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { codeIn, mailTo } from './support/mail.js';
import { useSchemaFile } from './support/schema-file.js';
import type { TestServer } from './support/server.js';
import type { ReceivedMail } from './support/smtp.js';
import { type TestServerOptions, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple 9';

/** Two addresses to verify: the login email and a backup email, both `verification.via: email`. */
const TWO_EMAILS_TRAITS = {
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

const schema = useSchemaFile('two-emails.schema.json', TWO_EMAILS_TRAITS);
const inbox = useSmtpServer();

/** The options of a Portcullis with the two-email schema and these registration `hooks`, mailing over the test SMTP server. */
const serverWith =
  (hooks: { hook: string }[], featureFlags?: Record<string, boolean>) => (): TestServerOptions =>
    courierServerOptions(inbox.smtp, {
      featureFlags,
      extraConfig: { identity: { default_schema_id: 'two', schemas: [{ id: 'two', url: schema.url }] } },
      flows: {
        registration: { style: 'unified', after: { password: { hooks } } },
        verification: { enabled: true, use: 'code' },
      },
    });

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

describe.each(testDatabases())(
  'feature_flags.legacy_continue_with_verification_ui: a flow per address ($name)',
  (database) => {
    const t = useTestServer(
      database,
      serverWith([{ hook: 'session' }], { legacy_continue_with_verification_ui: true }),
    );

    it('lists each address with its own flow, and each emailed code verifies its address', async () => {
      const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
      const admin = new IdentityApi(new Configuration({ basePath: t.server.adminUrl }));
      const sent = inbox.smtp.messages.length;
      const ivy = await registerNative(t.server, 'ivy');

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
      const primaryMail = await mailTo(inbox.smtp, ivy.email, sent);
      const backupMail = await mailTo(inbox.smtp, ivy.backup_email, sent);
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
  const plain = useTestServer(undefined, serverWith([{ hook: 'session' }]));
  const withHook = useTestServer(
    undefined,
    serverWith([{ hook: 'session' }, { hook: 'show_verification_ui' }]),
  );

  it('mails the first address but lists no show_verification_ui without the hook', async () => {
    const frontend = new FrontendApi(new Configuration({ basePath: plain.server.publicUrl }));
    const sent = inbox.smtp.messages.length;
    const eve = await registerNative(plain.server, 'eve');
    expect(actions(eve.continueWith)).toEqual(['set_ory_session_token']);

    // The message is sent anyway, to the first address only (Kratos stops after it), and its
    // code verifies that address in the flow the link names.
    expect(await queuedTo(plain.server, eve.email)).toMatchObject([
      { template_type: 'verification_code_valid' },
    ]);
    expect(await queuedTo(plain.server, eve.backup_email)).toEqual([]);
    const mail = await mailTo(inbox.smtp, eve.email, sent);
    const { data: verified } = await frontend.updateVerificationFlow({
      flow: flowOfMail(mail) ?? '',
      updateVerificationFlowBody: { method: 'code', code: codeIn(mail.text) },
    });
    expect(verified.state).toBe('passed_challenge');
  });

  it('gives an SPA only redirect_browser_to without the hook', async () => {
    const browser = new BrowserClient(plain.server.publicUrl);
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
    expect(await queuedTo(plain.server, 'spa-plain@example.test')).toHaveLength(1);
  });

  it('lists the one flow first with the show_verification_ui hook, and sends a browser to it', async () => {
    const eli = await registerNative(withHook.server, 'eli');
    expect(actions(eli.continueWith)).toEqual(['show_verification_ui', 'set_ory_session_token']);
    const [item] = shown(eli.continueWith);
    expect(item?.flow.verifiable_address).toBe(eli.email);
    // A native app shows its own code screen: no URL, as Kratos.
    expect(item?.flow).not.toHaveProperty('url');
    expect(await queuedTo(withHook.server, eli.backup_email)).toEqual([]);

    const browser = new BrowserClient(withHook.server.publicUrl);
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
      new RegExp(`^${withHook.server.publicUrl}/ui/verification\\?flow=[0-9a-f-]{36}$`),
    );
  });
});
