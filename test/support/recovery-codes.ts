/**
 * The steps of a recovery by code that tests take on their way to what they check: a flow with a
 * code mailed over the test SMTP server, and the code submitted as an app would.
 */
import type { FrontendApi } from '@ory/client';
import { BrowserClient, csrfTokenOf } from './browser-client.js';
import { codeIn, mailTo } from './mail.js';
import type { TestSmtpServer } from './smtp.js';

/** A recovery flow as the public API answers it in JSON. */
export interface RecoveryFlowJson {
  id: string;
  state: string;
  ui: { messages?: { id: number; text: string }[]; nodes: { attributes: object }[] };
}

/** A native recovery flow with a code mailed to `email`: the flow's id and the code. */
export async function nativeRecoveryCode(
  frontend: FrontendApi,
  smtp: TestSmtpServer,
  email: string,
): Promise<{ id: string; code: string }> {
  const { data: flow } = await frontend.createNativeRecoveryFlow();
  const before = smtp.messages.length;
  await frontend.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: 'code', email } });
  return { id: flow.id, code: codeIn((await mailTo(smtp, email, before)).text) };
}

/**
 * A browser's recovery flow (fetched as an SPA does) with a code mailed to `email`: the browser,
 * which holds the flow's CSRF cookie, the flow and the code.
 */
export async function browserRecoveryCode(
  publicUrl: string,
  smtp: TestSmtpServer,
  email: string,
): Promise<{ browser: BrowserClient; flow: RecoveryFlowJson; code: string }> {
  const browser = new BrowserClient(publicUrl);
  const flow = (await (await browser.getJson('/self-service/recovery/browser')).json()) as RecoveryFlowJson;
  const before = smtp.messages.length;
  await browser.postJson(`/self-service/recovery?flow=${flow.id}`, {
    method: 'code',
    email,
    csrf_token: csrfTokenOf(flow),
  });
  return { browser, flow, code: codeIn((await mailTo(smtp, email, before)).text) };
}

/** Posts `body` (with `method: code`) to a recovery flow as JSON from an app: no cookies, no redirects followed. */
export function submitRecoveryCode(
  publicUrl: string,
  flowId: string,
  body: Record<string, string>,
): Promise<Response> {
  return fetch(`${publicUrl}/self-service/recovery?flow=${flowId}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'code', ...body }),
  });
}
