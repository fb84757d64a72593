/**
 * The browser login flow as a person's browser walks it (navigation, then the HTML form's post),
 * for tests that need a browser signed in, or a login form about to be posted.
 */
import { expect } from 'vitest';
import { type BrowserClient, csrfTokenOf } from './browser-client.js';

/** What Chromium sends with a navigation or a form post. */
export const HTML_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/**
 * A login flow the browser started by navigating to it (so it holds the flow's CSRF cookie):
 * the flow's id and the CSRF token its form carries.
 */
export async function startBrowserLogin(
  browser: BrowserClient,
): Promise<{ flowId: string; csrfToken: string }> {
  const init = await browser.request('/self-service/login/browser', { headers: { accept: HTML_ACCEPT } });
  expect(init.status).toBe(303);
  const flowId = new URL(init.headers.get('location') ?? '').searchParams.get('flow') ?? '';
  const flow = await browser.getJson(`/self-service/login/flows?id=${flowId}`);
  expect(flow.status).toBe(200);
  return { flowId, csrfToken: csrfTokenOf((await flow.json()) as Parameters<typeof csrfTokenOf>[0]) };
}

/** Posts the login form of `flowId` with a password, as the browser submits it. */
export function postBrowserLogin(
  browser: BrowserClient,
  { flowId, csrfToken }: { flowId: string; csrfToken: string },
  identifier: string,
  password: string,
): Promise<Response> {
  return browser.postForm(`/self-service/login?flow=${flowId}`, {
    csrf_token: csrfToken,
    method: 'password',
    identifier,
    password,
  });
}

/** Signs `browser` in with a password, as a person does: it then holds the session cookie. */
export async function signInBrowser(
  browser: BrowserClient,
  identifier: string,
  password: string,
): Promise<void> {
  const posted = await postBrowserLogin(browser, await startBrowserLogin(browser), identifier, password);
  expect(posted.status).toBe(303);
  expect(browser.cookie('ory_kratos_session')).toBeDefined();
}

/** Posts a password to the login `flow` as an SPA does: JSON, with the CSRF token its form carries. */
export function postSpaLogin(
  browser: BrowserClient,
  flow: { id: string } & Parameters<typeof csrfTokenOf>[0],
  identifier: string,
  password: string,
): Promise<Response> {
  return browser.postJson(`/self-service/login?flow=${flow.id}`, {
    method: 'password',
    identifier,
    password,
    csrf_token: csrfTokenOf(flow),
  });
}
