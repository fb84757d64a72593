/**
 * What the UI's browser tests share: a Portcullis with the built-in UI and the dev inbox, and
 * small user-level steps (read a code from the inbox, fill the registration form).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

export const PASSWORD = 'a long unguessable passphrase 42';
export const NEW_PASSWORD = 'another long passphrase, recovered 7';

/**
 * A Portcullis as `serve --dev --watch-courier` runs it, with the exam identity schema
 * (email, fullname, phone_number, the `user_type` enum), verification and recovery by code,
 * sign-up that signs in and shows the code form, and a login that wants a verified address.
 * No `ui_url` anywhere: every flow defaults to the built-in pages under `/ui`, and
 * `default_browser_return_url` to `/ui/welcome` (`--dev`). No SMTP: mail lands in the dev
 * inbox.
 */
export function startUiServer(): Promise<TestServer> {
  return startTestServer({
    dsn: 'memory',
    dev: true,
    watchCourier: true,
    extraConfig: {
      courier: { worker: { pull_wait: '50ms' } },
      selfservice: {
        methods: { password: { config: { haveibeenpwned_enabled: false } } },
        flows: {
          registration: {
            after: { password: { hooks: [{ hook: 'session' }, { hook: 'show_verification_ui' }] } },
          },
          login: { after: { password: { hooks: [{ hook: 'require_verified_address' }] } } },
          verification: { enabled: true, use: 'code' },
          recovery: { enabled: true, use: 'code' },
        },
      },
    },
  });
}

/** `path` under the server's public base URL (`ui/login`, `self-service/...`). */
export function at(server: TestServer, path: string): string {
  return new URL(path, server.publicUrl.endsWith('/') ? server.publicUrl : `${server.publicUrl}/`).toString();
}

/** The page's path and query, for readable assertions. */
export function pathOf(page: Page): string {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
}

/**
 * Opens the dev inbox and reads the code of the newest message to `email` whose text matches
 * `subject`, reloading as a person would until the courier has delivered it (up to 15 s).
 */
export async function codeFromInbox(
  page: Page,
  server: TestServer,
  email: string,
  subject: RegExp,
): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await page.goto(at(server, 'ui/inbox'));
    // A table, newest first: the first row to this address about this subject is the latest.
    const row = page.getByRole('row').filter({ hasText: email }).filter({ hasText: subject }).first();
    if ((await row.count()) > 0) {
      // The code is a cell of its own (the "Code" column).
      const cells = await row.getByRole('cell').allTextContents();
      const code = cells.map((cell) => /^\s*(\d{6})\s*$/.exec(cell)?.[1]).find((c) => c !== undefined);
      expect(code, `a 6-digit code in the inbox row: ${JSON.stringify(cells)}`).toBeDefined();
      return code as string;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no message to ${email} matching ${subject} in the dev inbox:\n${await page.locator('body').textContent()}`,
      );
    }
    await page.waitForTimeout(100);
  }
}

/**
 * Waits until `text` is visible on the page, as a person would look for it; on failure the
 * message carries what the page does show.
 */
export async function expectVisible(page: Page, text: string | RegExp): Promise<void> {
  try {
    await page.getByText(text).first().waitFor({ state: 'visible', timeout: 10_000 });
  } catch {
    const shown = (await page.locator('body').textContent())?.replace(/\s+/g, ' ').trim();
    throw new Error(`expected ${String(text)} to be visible on ${pathOf(page)}; the page shows:\n${shown}`);
  }
}

/** The exam schema's traits as a person types them. */
export interface ExamPerson {
  email: string;
  fullname: string;
  phone: string;
  userType: 'student' | 'educator';
}

/**
 * Screen one of a `profile_first` registration (Kratos's default style): fills the traits by
 * their labels (the exam schema's titles; `user_type` is a select) and presses "Sign up".
 */
export async function submitProfile(page: Page, person: ExamPerson): Promise<void> {
  await page.getByLabel('E-Mail').fill(person.email);
  await page.getByLabel('Full name').fill(person.fullname);
  await page.getByLabel('Phone number').fill(person.phone);
  await page.getByLabel('User type').selectOption(person.userType);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

/** Screen two: chooses the password and presses "Sign up". */
export async function submitPassword(page: Page, password: string): Promise<void> {
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}
