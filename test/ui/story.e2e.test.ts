/**
 * The built-in UI as a person uses it, in real headless Chromium (Debian's `chromium`, driven
 * by playwright-core) against a real Portcullis: sign up with a custom schema, verify from the
 * dev inbox, sign out, fail and then succeed to sign in, edit a trait, recover the account.
 * A full-page screenshot of every page seen lands in `test-artifacts/ui/story-*.png`.
 *
 * JavaScript is off in this browser: the pages are plain HTML forms and must work without it.
 * The pages' own Content-Security-Policy is enforced here; any refusal fails the story.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearScreenshots, screenshot, useChromium } from '../support/chromium.js';
import type { TestServer } from '../support/server.js';
import {
  at,
  codeFromInbox,
  type ExamPerson,
  expectVisible,
  NEW_PASSWORD,
  PASSWORD,
  pathOf,
  startUiServer,
} from './helpers.js';

/** The identities the admin API finds by a credentials identifier. */
async function adminIdentities(
  server: TestServer,
  identifier: string,
): Promise<{ traits: Record<string, unknown>; verifiable_addresses?: { verified: boolean }[] }[]> {
  const url = new URL('admin/identities', `${server.adminUrl.replace(/\/$/, '')}/`);
  url.searchParams.set('credentials_identifier', identifier);
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as { traits: Record<string, unknown> }[];
}

const VERIFICATION_SUBJECT = /verify/i;
const RECOVERY_SUBJECT = /recover/i;

describe('the built-in UI in a real browser', () => {
  const chrome = useChromium({ javaScriptEnabled: false });
  let server: TestServer;

  beforeAll(async () => {
    await clearScreenshots('story-');
    server = await startUiServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Runs one step of the story; a failure names the step and where the browser was. */
  async function step(page: Page, name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      await screenshot(page, `story-failed-${name}`).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`story step "${name}" failed at ${page.url()}:\n${message}`, { cause: error });
    }
  }

  let shot = 0;
  const keep = (page: Page, name: string) =>
    screenshot(page, `story-${String(++shot).padStart(2, '0')}-${name}`);

  it('registers with the exam schema, verifies from the inbox, signs in, edits a trait and recovers', async () => {
    const page = chrome.page();
    const person: ExamPerson = {
      email: 'grace@example.test',
      fullname: 'Grace Hopper',
      phone: '5550100',
      userType: 'educator',
    };

    await step(page, 'registration', async () => {
      // The UI starts the flow itself when opened without one.
      await page.goto(at(server, 'ui/registration'));
      await expect.poll(() => pathOf(page)).toMatch(/^\/ui\/registration\?flow=/);
      // `user_type` is an enum: a select offering exactly its values.
      const userType = page.getByLabel('User type');
      expect(await userType.evaluate((element) => element.tagName)).toBe('SELECT');
      expect(await userType.locator('option').allTextContents()).toEqual(
        expect.arrayContaining([expect.stringMatching(/student/i), expect.stringMatching(/educator/i)]),
      );
      await page.getByLabel('E-Mail').fill(person.email);
      await page.getByLabel('Full name').fill(person.fullname);
      await page.getByLabel('Phone number').fill(person.phone);
      await page.getByLabel('User type').selectOption(person.userType);
      await keep(page, 'registration-profile');
      await page.getByRole('button', { name: 'Sign up' }).click();
      // Screen two (profile_first, Kratos's default): the password, the traits kept.
      await page.waitForURL(/\/ui\/registration\?flow=/);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await keep(page, 'registration-password');
      await page.getByRole('button', { name: 'Sign up' }).click();
      // show_verification_ui: straight to the code form of a verification flow.
      await page.waitForURL(/\/ui\/verification\?flow=/);
      await expect.poll(() => page.getByLabel('Verification code').count()).toBe(1);
      await keep(page, 'verification-code-sent');
    });

    const verificationUrl = page.url();
    await step(page, 'verification', async () => {
      const code = await codeFromInbox(page, server, person.email, VERIFICATION_SUBJECT);
      await keep(page, 'inbox-verification');
      await page.goto(verificationUrl);
      await page.getByLabel('Verification code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectVisible(page, 'You successfully verified your email address.');
      await keep(page, 'verified');
      const [identity] = await adminIdentities(server, person.email);
      expect(identity?.verifiable_addresses?.[0]?.verified).toBe(true);
    });

    await step(page, 'welcome and sign out', async () => {
      await page.goto(at(server, 'ui/welcome'));
      await expectVisible(page, person.email);
      await keep(page, 'welcome');
      // A button (a form posting to the logout URL) or a link to it: either is fine.
      const signOut = /sign out|log out/i;
      await page
        .getByRole('button', { name: signOut })
        .or(page.getByRole('link', { name: signOut }))
        .first()
        .click();
      // Logout returns to the default return URL, the welcome page, now signed out.
      await expectVisible(page, 'You are not signed in.');
      await keep(page, 'signed-out');
    });

    await step(page, 'failed login', async () => {
      await page.goto(at(server, 'ui/login'));
      await expect.poll(() => pathOf(page)).toMatch(/^\/ui\/login\?flow=/);
      await page.getByLabel('E-Mail').fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/ui\/login\?flow=/);
      await expectVisible(page, 'The provided credentials are invalid');
      // The identifier stays; the password does not.
      expect(await page.getByLabel('E-Mail').inputValue()).toBe(person.email);
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
      await keep(page, 'login-error');
    });

    await step(page, 'login', async () => {
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/ui\/welcome/);
      await expectVisible(page, person.email);
      await keep(page, 'welcome-signed-in');
    });

    await step(page, 'settings', async () => {
      await page.goto(at(server, 'ui/settings'));
      await expect.poll(() => pathOf(page)).toMatch(/^\/ui\/settings\?flow=/);
      expect(await page.getByLabel('Full name').inputValue()).toBe(person.fullname);
      expect(await page.getByLabel('User type').inputValue()).toBe(person.userType);
      await keep(page, 'settings');
      await page.getByLabel('Full name').fill('Grace Brewster Hopper');
      await page.getByLabel('User type').selectOption('student');
      const profile = page.locator('form').filter({ has: page.getByLabel('Full name') });
      await profile.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/ui\/settings\?flow=/);
      await expectVisible(page, 'Your changes have been saved!');
      expect(await page.getByLabel('Full name').inputValue()).toBe('Grace Brewster Hopper');
      expect(await page.getByLabel('User type').inputValue()).toBe('student');
      await keep(page, 'settings-saved');
      // Stored, not just shown: the admin API sees the new traits.
      const [identity] = await adminIdentities(server, person.email);
      expect(identity?.traits).toMatchObject({ fullname: 'Grace Brewster Hopper', user_type: 'student' });
    });

    await step(page, 'recovery', async () => {
      await page.context().clearCookies();
      await page.goto(at(server, 'ui/recovery'));
      await expect.poll(() => pathOf(page)).toMatch(/^\/ui\/recovery\?flow=/);
      await page.getByLabel('Email').fill(person.email);
      await keep(page, 'recovery');
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/ui\/recovery\?flow=/);
      await expect.poll(() => page.getByLabel('Recovery code').count()).toBe(1);
      const recoveryUrl = page.url();
      await keep(page, 'recovery-code-sent');
      const code = await codeFromInbox(page, server, person.email, RECOVERY_SUBJECT);
      await keep(page, 'inbox-recovery');
      await page.goto(recoveryUrl);
      await page.getByLabel('Recovery code').fill(code);
      await page.getByRole('button', { name: 'Continue' }).click();
      // A recovered account is signed in and sent to settings to choose a new password.
      await page.waitForURL(/\/ui\/settings\?flow=/);
      await keep(page, 'settings-after-recovery');
      const passwordForm = page.locator('form').filter({ has: page.getByLabel('Password', { exact: true }) });
      await passwordForm.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await passwordForm.getByRole('button', { name: 'Save' }).click();
      await page.waitForURL(/\/ui\/settings\?flow=/);
      await expectVisible(page, 'Your changes have been saved!');
      await keep(page, 'password-changed');
    });

    await step(page, 'login with the new password', async () => {
      await page.context().clearCookies();
      await page.goto(at(server, 'ui/login'));
      await page.getByLabel('E-Mail').fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/ui\/welcome/);
      await expectVisible(page, 'Grace Brewster Hopper');
    });

    expect(chrome.problems()).toEqual([]);
  }, 60_000);
});
