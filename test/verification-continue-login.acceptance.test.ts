/**
 * Verification a login starts, as Kratos master: `require_verified_address` (AddressVerifier)
 * starts a verification flow and sends a code instead of signing in (403 with
 * `session_verified_address_required` and `details.continue_with`, or 303 to the verification UI),
 * unless `feature_flags.legacy_require_verified_login_error` keeps the old 4000010 form error;
 * and the login `verification` and `show_verification_ui` hooks (Verifier,
 * ShowVerificationUIHook) sign in and list the verification flow in `continue_with`.
 */
import { Configuration, FrontendApi, IdentityApi, type LoginFlow } from '@ory/client';
import { describe, expect, it } from 'vitest';
import { BrowserClient, csrfTokenOf } from './support/browser-client.js';
import { courierServerOptions, queuedTo as queuedMessages, useSmtpServer } from './support/courier-server.js';
import { testDatabases } from './support/databases.js';
import { failure } from './support/failure.js';
import { codeIn, mailTo } from './support/mail.js';
import { useSchemaFile } from './support/schema-file.js';
import { EXAM_SCHEMA_URL, type TestServer } from './support/server.js';
import { type TestServerOptions, useTestServer } from './support/suite-server.js';

const PASSWORD = 'correct horse battery staple 9';

/** The traits of a schema whose email signs in but is not verifiable: an identity with no verifiable address. */
const NO_VERIFICATION_TRAITS = {
  properties: {
    email: {
      type: 'string',
      format: 'email',
      'ory.sh/kratos': { credentials: { password: { identifier: true } } },
    },
  },
  required: ['email'],
};

type ShowVerification = {
  action: 'show_verification_ui';
  flow: { id: string; verifiable_address: string; url?: string };
};
type AddressNotVerified = {
  error: { id: string; reason: string; details: { continue_with: ShowVerification[] } };
};

const schema = useSchemaFile('no-verification.schema.json', NO_VERIFICATION_TRAITS);
const inbox = useSmtpServer();

/** The options of a Portcullis with these login `hooks`, mailing over the test SMTP server. */
const serverWith =
  (hooks: { hook: string }[], featureFlags?: Record<string, boolean>) => (): TestServerOptions =>
    courierServerOptions(inbox.smtp, {
      featureFlags,
      extraConfig: {
        identity: {
          default_schema_id: 'exam',
          schemas: [
            { id: 'exam', url: EXAM_SCHEMA_URL },
            { id: 'no-verification', url: schema.url },
          ],
        },
      },
      flows: {
        login: { after: { password: { hooks } } },
        verification: { enabled: true, use: 'code' },
      },
    });

/** An identity with a password, its email not verified, created as an operator would. */
async function createIdentity(server: TestServer, email: string, schemaId = 'exam'): Promise<string> {
  const admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  const traits =
    schemaId === 'exam'
      ? { email, fullname: 'Dee Test', phone_number: 5550100, user_type: 'student' }
      : { email };
  const { data } = await admin.createIdentity({
    createIdentityBody: {
      schema_id: schemaId,
      traits,
      credentials: { password: { config: { password: PASSWORD } } },
    },
  });
  return data.id;
}

function loginNative(server: TestServer, email: string) {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  return (async () => {
    const { data: flow } = await frontend.createNativeLoginFlow();
    return frontend.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: 'password', identifier: email, password: PASSWORD },
    });
  })();
}

/** A browser's login: the flow (as an SPA fetches it), then the posted form or JSON. */
async function loginBrowser(server: TestServer, email: string, as: 'form' | 'json') {
  const browser = new BrowserClient(server.publicUrl);
  const flow = (await (await browser.getJson('/self-service/login/browser')).json()) as LoginFlow;
  const fields = { csrf_token: csrfTokenOf(flow), method: 'password', identifier: email, password: PASSWORD };
  const answer =
    as === 'form'
      ? await browser.postForm(flow.ui.action, fields)
      : await browser.postJson(flow.ui.action, fields);
  const whoami = await browser.getJson('/sessions/whoami');
  return { answer, signedIn: whoami.status === 200 };
}

/** The template types of the messages queued to `address` (admin courier API). */
async function queuedTo(server: TestServer, address: string): Promise<string[]> {
  return (await queuedMessages(server, address)).map((m) => m.template_type);
}

describe.each(testDatabases())('require_verified_address, as Kratos master ($name)', (database) => {
  const t = useTestServer(database, serverWith([{ hook: 'require_verified_address' }]));

  it('answers a native app 403 with a verification flow whose emailed code lets the person in', async () => {
    const email = 'dee@example.test';
    const identityId = await createIdentity(t.server, email);
    const sent = inbox.smtp.messages.length;

    const refused = await failure<AddressNotVerified>(loginNative(t.server, email));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      id: 'session_verified_address_required',
      reason:
        "Your account's email or phone address are not verified yet. Please check your email or phone inbox or re-request verification.",
    });
    const [show, ...rest] = refused.body.error.details.continue_with;
    expect(rest).toEqual([]);
    expect(show).toMatchObject({ action: 'show_verification_ui', flow: { verifiable_address: email } });
    // Kratos's AddressVerifier gives the UI's URL whatever the flow's type.
    expect(show?.flow.url).toBe(`${t.server.publicUrl}/ui/verification?flow=${show?.flow.id}`);

    // No session was issued; a code was sent, in a flow the client can fetch.
    const admin = new IdentityApi(new Configuration({ basePath: t.server.adminUrl }));
    expect((await admin.listIdentitySessions({ id: identityId })).data).toEqual([]);
    expect(await queuedTo(t.server, email)).toEqual(['verification_code_valid']);
    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    const { data: verification } = await frontend.getVerificationFlow({ id: show?.flow.id ?? '' });
    expect(verification.state).toBe('sent_email');

    const mail = await mailTo(inbox.smtp, email, sent);
    const { data: verified } = await frontend.updateVerificationFlow({
      flow: verification.id,
      updateVerificationFlowBody: { method: 'code', code: codeIn(mail.text) },
    });
    expect(verified.state).toBe('passed_challenge');
    const { data: session } = await loginNative(t.server, email);
    expect(session.session.identity?.id).toBe(identityId);
  });

  it('sends a browser to the verification UI, signed out; an SPA gets the 403', async () => {
    const email = 'dee-browser@example.test';
    await createIdentity(t.server, email);
    const form = await loginBrowser(t.server, email, 'form');
    expect(form.answer.status).toBe(303);
    expect(form.answer.headers.get('location')).toMatch(
      new RegExp(`^${t.server.publicUrl}/ui/verification\\?flow=[0-9a-f-]{36}$`),
    );
    expect(form.signedIn).toBe(false);

    const spa = await loginBrowser(t.server, email, 'json');
    expect(spa.answer.status).toBe(403);
    const body = (await spa.answer.json()) as AddressNotVerified;
    expect(body.error.id).toBe('session_verified_address_required');
    expect(spa.signedIn).toBe(false);
    expect(await queuedTo(t.server, email)).toEqual(['verification_code_valid', 'verification_code_valid']);
  });

  it("answers Kratos's 500 for an identity without any verifiable address", async () => {
    const email = 'no-address@example.test';
    await createIdentity(t.server, email, 'no-verification');
    const refused = await failure<{ error: { code: number; reason: string } }>(loginNative(t.server, email));
    expect(refused.status).toBe(500);
    expect(refused.body.error.reason).toBe(
      'A misconfiguration prevents login. Expected to find a verification address but this identity does not have one assigned.',
    );
    expect(await queuedTo(t.server, email)).toEqual([]);
  });
});

describe('feature_flags.legacy_require_verified_login_error', () => {
  const t = useTestServer(
    undefined,
    serverWith([{ hook: 'require_verified_address' }], { legacy_require_verified_login_error: true }),
  );

  it('refuses with 4000010 on the login flow and sends nothing', async () => {
    const email = 'legacy@example.test';
    await createIdentity(t.server, email);
    const refused = await failure<LoginFlow>(loginNative(t.server, email));
    expect(refused.status).toBe(400);
    expect(refused.body.ui.messages?.map((m) => m.id)).toEqual([4000010]);
    expect(await queuedTo(t.server, email)).toEqual([]);
  });
});

describe('the login verification and show_verification_ui hooks', () => {
  const t = useTestServer(
    undefined,
    serverWith([{ hook: 'verification' }, { hook: 'show_verification_ui' }]),
  );

  it('signs in, sends a code and lists its flow; once verified, nothing more', async () => {
    const email = 'hooked@example.test';
    await createIdentity(t.server, email);
    const sent = inbox.smtp.messages.length;
    const { data: signedIn } = await loginNative(t.server, email);
    expect(signedIn.session_token).toBeTruthy();
    const items = (signedIn.continue_with ?? []) as ShowVerification[];
    expect(items.map((item) => item.action)).toEqual(['show_verification_ui']);
    expect(items[0]?.flow.verifiable_address).toBe(email);
    expect(items[0]?.flow).not.toHaveProperty('url');
    expect(await queuedTo(t.server, email)).toEqual(['verification_code_valid']);

    const frontend = new FrontendApi(new Configuration({ basePath: t.server.publicUrl }));
    const mail = await mailTo(inbox.smtp, email, sent);
    const { data: verified } = await frontend.updateVerificationFlow({
      flow: items[0]?.flow.id ?? '',
      updateVerificationFlowBody: { method: 'code', code: codeIn(mail.text) },
    });
    expect(verified.state).toBe('passed_challenge');

    const { data: again } = await loginNative(t.server, email);
    expect(again.continue_with ?? []).toEqual([]);
    expect(await queuedTo(t.server, email)).toHaveLength(1);
  });

  it('gives an SPA the flow after redirect_browser_to, and sends a form to the verification UI', async () => {
    const email = 'hooked-browser@example.test';
    await createIdentity(t.server, email);
    const spa = await loginBrowser(t.server, email, 'json');
    expect(spa.answer.status).toBe(200);
    const body = (await spa.answer.json()) as {
      continue_with: { action: string; flow?: { url?: string } }[];
    };
    expect(body.continue_with.map((item) => item.action)).toEqual([
      'redirect_browser_to',
      'show_verification_ui',
    ]);
    expect(body.continue_with[1]?.flow?.url).toMatch(
      new RegExp(`^${t.server.publicUrl}/ui/verification\\?flow=`),
    );
    expect(spa.signedIn).toBe(true);

    const form = await loginBrowser(t.server, email, 'form');
    expect(form.answer.status).toBe(303);
    expect(form.answer.headers.get('location')).toMatch(
      new RegExp(`^${t.server.publicUrl}/ui/verification\\?flow=[0-9a-f-]{36}$`),
    );
    expect(form.signedIn).toBe(true);
  });
});
