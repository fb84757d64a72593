/**
 * What the recovery and verification suites share on their way to what they check: identities of
 * the `exam` schema, the messages a flow shows, the link a message carries, secrets made to
 * expire, and the new flow a refused one was replaced by.
 */
import type { IdentityApi } from '@ory/client';
import { expect } from 'vitest';
import { BrowserClient, csrfTokenOf } from './browser-client.js';
import { createPasswordIdentity, examTraits, PASSWORD } from './identities.js';
import { mailTo } from './mail.js';
import type { TestServer } from './server.js';
import type { TestSmtpServer } from './smtp.js';

/** A recovery or verification flow as the public API answers it in JSON. */
export interface OneTimeFlowJson {
  id: string;
  type: string;
  state: string;
  return_to?: string;
  ui: {
    action: string;
    method: string;
    messages?: { id: number; text: string }[];
    nodes: { type: string; group: string; attributes: object; messages: { id: number; text: string }[] }[];
  };
}

/** The ids of a flow's (or node's) messages, in order. */
export const messageIds = (messages: { id: number }[] | undefined) => (messages ?? []).map((m) => m.id);

/** An identity of the `exam` schema for `email` (no credentials), as an operator creates it. */
export async function createExamIdentity(
  admin: IdentityApi,
  email: string,
  extra: { metadata_admin?: object } = {},
): Promise<string> {
  const { data } = await admin.createIdentity({
    createIdentityBody: { schema_id: 'exam', traits: examTraits(email), ...extra },
  });
  return data.id;
}

/** Whether the identity's (first) verifiable address is verified. */
export async function addressVerified(admin: IdentityApi, id: string): Promise<boolean | undefined> {
  const { data } = await admin.getIdentity({ id });
  return data.verifiable_addresses?.[0]?.verified;
}

/** Moves the expiry of the codes and link tokens of flow `flowId` a minute into the past. */
export async function expireSecrets(server: TestServer, flowId: string): Promise<Date> {
  const expiresAt = new Date(Date.now() - 60_000);
  await server.registry.database.db
    .updateTable('selfservice_codes')
    .set({ expires_at: expiresAt })
    .where('flow_id', '=', flowId)
    .execute();
  return expiresAt;
}

/** The `kind` link (with a `token`) in the first message to `email` since `before`. */
export async function mailedLink(
  smtp: TestSmtpServer,
  kind: 'recovery' | 'verification',
  email: string,
  before: number,
): Promise<string> {
  const mail = await mailTo(smtp, email, before);
  const link = mail.text.split(/\s+/).find((word) => word.includes(`/self-service/${kind}?flow=`));
  expect(link).toContain('token=');
  return link ?? '';
}

/**
 * The new flow a refused one was replaced by, as `browser` fetches it: the answer must be a 303
 * to the `kind` UI naming another flow than `old`.
 */
export async function replacementFlow(
  browser: BrowserClient,
  answer: Response,
  kind: 'recovery' | 'verification',
  old: string,
): Promise<OneTimeFlowJson> {
  expect(answer.status).toBe(303);
  const location = new URL(answer.headers.get('location') ?? '');
  expect(location.pathname).toBe(`/ui/${kind}`);
  const id = location.searchParams.get('flow') ?? '';
  expect(id).not.toBe(old);
  return (await (await browser.getJson(`/self-service/${kind}/flows?id=${id}`)).json()) as OneTimeFlowJson;
}

/**
 * Opens a recovery `link` that recovers no more (used, or wrong) in `browser` once per `accepts`
 * value: each time a new browser flow saying 4060004, as Kratos's link strategy answers it.
 */
export async function expectLinkRefusedWith4060004(
  browser: BrowserClient,
  link: string,
  flowId: string,
  accepts: readonly string[],
): Promise<void> {
  for (const accept of accepts) {
    const again = await browser.request(link, { headers: { accept } });
    const next = await replacementFlow(browser, again, 'recovery', flowId);
    expect([accept, next.type, next.state, messageIds(next.ui.messages)]).toEqual([
      accept,
      'browser',
      'choose_method',
      [4060004],
    ]);
  }
}

/** Posts `body` to a `kind` flow as JSON from an app: no cookies, no redirects followed. */
export function postAsApp(
  publicUrl: string,
  kind: 'recovery' | 'verification',
  flowId: string,
  body: object,
): Promise<Response> {
  return fetch(`${publicUrl}/self-service/${kind}?flow=${flowId}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/**
 * A browser recovery flow (as an SPA starts it) with a link mailed for a new identity's address:
 * the browser, to which the link must come back, the flow's id and the link.
 */
export async function browserRecoveryLinkSent(
  target: { readonly server: TestServer; readonly admin: IdentityApi; readonly smtp: TestSmtpServer },
  email: string,
): Promise<{ browser: BrowserClient; flowId: string; link: string }> {
  await createPasswordIdentity(target.admin, examTraits(email), PASSWORD);
  const browser = new BrowserClient(target.server.publicUrl);
  const flow = (await (await browser.getJson('/self-service/recovery/browser')).json()) as OneTimeFlowJson;
  const before = target.smtp.messages.length;
  await browser.postJson(`/self-service/recovery?flow=${flow.id}`, {
    method: 'link',
    email,
    csrf_token: csrfTokenOf(flow),
  });
  return { browser, flowId: flow.id, link: await mailedLink(target.smtp, 'recovery', email, before) };
}
