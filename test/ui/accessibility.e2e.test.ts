/**
 * axe-core on every page of the built-in UI, in the same real headless Chromium as the story
 * test: no `serious` or `critical` violation on login, registration, verification, recovery,
 * settings, welcome, error and inbox, nor on forms showing field and form errors.
 *
 * axe is injected as an inline script, which the pages' strict Content-Security-Policy
 * refuses (as it should): this file's browser contexts use Playwright's `bypassCSP: true`.
 * The story test runs with the policy enforced.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearScreenshots,
  describeViolations,
  screenshot,
  seriousAxeViolations,
  useChromium,
} from '../support/chromium.js';
import type { TestServer } from '../support/server.js';
import {
  at,
  codeFromInbox,
  expectVisible,
  PASSWORD,
  pathOf,
  startUiServer,
  submitPassword,
  submitProfile,
} from './helpers.js';

const KNOWN = {
  email: 'known@example.test',
  fullname: 'Known Person',
  phone: '5550101',
  userType: 'student' as const,
};

describe('accessibility of the built-in UI (axe-core, serious and critical)', () => {
  const chrome = useChromium({ bypassCSP: true });
  let server: TestServer;

  beforeAll(async () => {
    await clearScreenshots('a11y-');
    server = await startUiServer();
    // A verified identity to sign in with, and mail in the dev inbox to look at.
    const response = await fetch(new URL('admin/identities', `${server.adminUrl.replace(/\/$/, '')}/`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema_id: 'exam',
        traits: {
          email: KNOWN.email,
          fullname: KNOWN.fullname,
          phone_number: Number(KNOWN.phone),
          user_type: KNOWN.userType,
        },
        credentials: { password: { config: { password: PASSWORD } } },
        verifiable_addresses: [{ value: KNOWN.email, via: 'email', verified: true, status: 'completed' }],
      }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Checks the page as it is now; a screenshot of it is kept as `a11y-<name>.png`. */
  async function check(page: Page, name: string): Promise<string[]> {
    await screenshot(page, `a11y-${name}`);
    const violations = await seriousAxeViolations(page);
    return violations.length === 0 ? [] : [describeViolations(`${name} (${pathOf(page)})`, violations)];
  }

  /** Opens a page under /ui; a page that starts a flow redirects to itself with `?flow=`. */
  async function open(page: Page, path: string, expected: RegExp): Promise<void> {
    await page.goto(at(server, path));
    await expect.poll(() => pathOf(page)).toMatch(expected);
  }

  async function signIn(page: Page): Promise<void> {
    await open(page, 'ui/login', /^\/ui\/login\?flow=/);
    await page.getByLabel('E-Mail').fill(KNOWN.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/ui\/welcome/);
  }

  it('signed-out pages: login, registration, verification, recovery, error, not found, welcome', async () => {
    const page = chrome.page();
    const found: string[] = [];
    for (const [name, path, expected] of [
      ['login', 'ui/login', /^\/ui\/login\?flow=/],
      ['registration', 'ui/registration', /^\/ui\/registration\?flow=/],
      ['verification', 'ui/verification', /^\/ui\/verification\?flow=/],
      ['recovery', 'ui/recovery', /^\/ui\/recovery\?flow=/],
      // An error that does not exist still renders the error page (a not-found error).
      ['error', 'ui/error?id=00000000-0000-4000-8000-000000000000', /^\/ui\/error/],
      // A stored error's details (a stub, as UI developers use them).
      ['error-details', 'ui/error?id=stub:403', /^\/ui\/error/],
      // A flow that does not exist: the 404 page with its "Start again" link.
      ['flow-not-found', 'ui/login?flow=00000000-0000-4000-8000-000000000000', /^\/ui\/login\?flow=0{8}-/],
      ['welcome-signed-out', 'ui/welcome', /^\/ui\/welcome$/],
    ] as const) {
      await open(page, path, expected);
      found.push(...(await check(page, name)));
    }
    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });

  it('forms showing errors: a failed login, a taken address, a code sent', async () => {
    const page = chrome.page();
    const found: string[] = [];

    await open(page, 'ui/login', /^\/ui\/login\?flow=/);
    await page.getByLabel('E-Mail').fill(KNOWN.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page, 'The provided credentials are invalid');
    found.push(...(await check(page, 'login-error')));

    await open(page, 'ui/registration', /^\/ui\/registration\?flow=/);
    // Screen two of registration, then the taken address on it.
    await submitProfile(page, KNOWN);
    await page.getByLabel('Password', { exact: true }).waitFor();
    found.push(...(await check(page, 'registration-password')));
    await submitPassword(page, PASSWORD);
    await expectVisible(page, /exists already/);
    found.push(...(await check(page, 'registration-error')));

    await open(page, 'ui/recovery', /^\/ui\/recovery\?flow=/);
    await page.getByLabel('Email').fill(KNOWN.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByLabel('Recovery code').count()).toBe(1);
    found.push(...(await check(page, 'recovery-code-sent')));
    await page.getByLabel('Recovery code').fill('000000');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectVisible(page, /code is invalid|already been used/i);
    found.push(...(await check(page, 'recovery-code-invalid')));

    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });

  it('the dev inbox with messages in it, and one message', async () => {
    const page = chrome.page();
    // The recovery code sent above, or one sent now if this test runs alone.
    await open(page, 'ui/recovery', /^\/ui\/recovery\?flow=/);
    await page.getByLabel('Email').fill(KNOWN.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await codeFromInbox(page, server, KNOWN.email, /recover/i);
    const found = await check(page, 'inbox');
    // One message, opened from its subject.
    await page.getByRole('link', { name: 'Recover access to your account' }).first().click();
    await page.waitForURL(/\/ui\/inbox\/[0-9a-f-]{36}$/);
    found.push(...(await check(page, 'inbox-message')));
    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });

  it('signed-in pages: welcome and settings', async () => {
    const page = chrome.page();
    const found: string[] = [];
    await signIn(page);
    found.push(...(await check(page, 'welcome')));
    await open(page, 'ui/settings', /^\/ui\/settings\?flow=/);
    found.push(...(await check(page, 'settings')));
    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });

  it('keyboard: Tab reaches the skip link, then the fields in order, each with a visible focus ring', async () => {
    const page = chrome.page();
    await open(page, 'ui/login', /^\/ui\/login\?flow=/);
    const stops: { name: string; outline: string }[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const stop = await page.evaluate(() => {
        interface Focused {
          id: string;
          tagName: string;
          textContent: string | null;
          labels?: { textContent: string | null }[];
        }
        const g = globalThis as unknown as {
          document: { activeElement: Focused | null };
          getComputedStyle(element: Focused): { outlineStyle: string; outlineWidth: string };
        };
        const element = g.document.activeElement;
        if (element === null) return { name: '', outline: 'none' };
        const label = element.labels?.[0]?.textContent ?? element.textContent ?? element.id;
        const style = g.getComputedStyle(element);
        return { name: label.trim(), outline: `${style.outlineStyle} ${style.outlineWidth}` };
      });
      stops.push(stop);
      if (/^Sign in/.test(stop.name)) break;
    }
    const names = stops.map((stop) => stop.name);
    expect(names[0], `tab stops: ${JSON.stringify(names)}`).toBe('Skip to content');
    const fields = names.filter((name) => ['E-Mail', 'Password'].includes(name) || /^Sign in/.test(name));
    expect(fields, `tab stops: ${JSON.stringify(names)}`).toEqual([
      'E-Mail',
      'Password',
      expect.stringMatching(/^Sign in/),
    ]);
    for (const stop of stops) {
      expect(stop.outline, `focus ring of ${stop.name}`).not.toMatch(/^none|\s0px$/);
    }
  });

  it('dark mode: login with an error and registration', async () => {
    const page = chrome.page();
    // The stylesheet follows prefers-color-scheme; contrast must hold in both schemes.
    await page.emulateMedia({ colorScheme: 'dark' });
    const found: string[] = [];
    await open(page, 'ui/login', /^\/ui\/login\?flow=/);
    await page.getByLabel('E-Mail').fill(KNOWN.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectVisible(page, 'The provided credentials are invalid');
    found.push(...(await check(page, 'login-error-dark')));
    await open(page, 'ui/registration', /^\/ui\/registration\?flow=/);
    found.push(...(await check(page, 'registration-dark')));
    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });

  it('narrow screens: login and settings at 360 px wide', async () => {
    const page = chrome.page();
    await page.setViewportSize({ width: 360, height: 740 });
    const found: string[] = [];
    await open(page, 'ui/login', /^\/ui\/login\?flow=/);
    found.push(...(await check(page, 'login-narrow')));
    await signIn(page);
    await open(page, 'ui/settings', /^\/ui\/settings\?flow=/);
    found.push(...(await check(page, 'settings-narrow')));
    // Responsive: nothing wider than the screen.
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
        .document;
      return root.documentElement.scrollWidth;
    });
    expect(overflow).toBeLessThanOrEqual(360);
    expect(found.join('\n'), 'serious or critical accessibility violations').toBe('');
  });
});
