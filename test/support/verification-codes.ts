/**
 * The steps of a verification by code that tests take on their way to what they check: a flow
 * with a code mailed over the test SMTP server, for a native app or a browser.
 */
import type { FrontendApi } from '@ory/client';
import { BrowserClient, csrfTokenOf } from './browser-client.js';
import { codeIn, mailTo } from './mail.js';
import type { OneTimeFlowJson } from './one-time-flows.js';
import type { TestSmtpServer } from './smtp.js';

/** A native verification flow with a code mailed to `email`: the flow's id and the code. */
export async function nativeVerificationCode(
  frontend: FrontendApi,
  smtp: TestSmtpServer,
  email: string,
): Promise<{ id: string; code: string }> {
  const { data: flow } = await frontend.createNativeVerificationFlow();
  const before = smtp.messages.length;
  await frontend.updateVerificationFlow({
    flow: flow.id,
    updateVerificationFlowBody: { method: 'code', email },
  });
  return { id: flow.id, code: codeIn((await mailTo(smtp, email, before)).text) };
}

/**
 * A browser's verification flow (fetched as an SPA does) with a code mailed to `email`: the
 * browser, which holds the flow's CSRF cookie, the flow and the code.
 */
export async function browserVerificationCode(
  publicUrl: string,
  smtp: TestSmtpServer,
  email: string,
): Promise<{ browser: BrowserClient; flow: OneTimeFlowJson; code: string }> {
  const browser = new BrowserClient(publicUrl);
  const flow = (await (
    await browser.getJson('/self-service/verification/browser')
  ).json()) as OneTimeFlowJson;
  const before = smtp.messages.length;
  await browser.postJson(`/self-service/verification?flow=${flow.id}`, {
    method: 'code',
    email,
    csrf_token: csrfTokenOf(flow),
  });
  return { browser, flow, code: codeIn((await mailTo(smtp, email, before)).text) };
}

/** A code that is not `code`. */
export const otherThan = (code: string) => (code === '123456' ? '654321' : '123456');
