/**
 * Real headless Chromium for the UI end-to-end tests: Debian's `chromium` package
 * (`/usr/bin/chromium`, installed by `.ci/run`) driven by `playwright-core`, which never
 * downloads a browser of its own.
 *
 * `useChromium()` launches one browser per test file and gives each test a fresh context
 * (its own cookies and storage) and page; `screenshot()` keeps a full-page PNG of a page
 * under `test-artifacts/ui/`; `seriousAxeViolations()` runs axe-core on a page.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** Debian's Chromium; `CHROMIUM_PATH` points elsewhere (a Chromium or Chrome of your own). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go; git-ignored (`test-artifacts/`), kept by CI as artifacts. */
export const ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'ui');

/**
 * Flags that work on this project's machines: no sandbox (tests run as root in CI), no GPU,
 * and no background traffic — the closed network refuses Chromium's calls home, many at a
 * time, and QUIC and component updates only add noise. Playwright adds `--headless` and a
 * fresh, empty `--user-data-dir` (a temporary profile per launch) itself.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Debian's Chromium. A missing browser is a failure, never a skip: CI installs it,
 * and a UI suite that silently tests nothing would pass for the wrong reason.
 */
export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. The UI tests need Debian's chromium: ` +
        'run `apt-get install -y chromium` as root (`.ci/run` does), or set CHROMIUM_PATH to a ' +
        'Chromium or Chrome binary. `npx playwright install` is not used by this project.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface ChromiumSession {
  /** The browser of this test file. */
  readonly browser: () => Browser;
  /** The current test's own context: fresh cookies, storage and cache. */
  readonly context: () => BrowserContext;
  /** The current test's page, in {@link ChromiumSession.context}. */
  readonly page: () => Page;
  /**
   * What went wrong in the page's console during the current test: uncaught errors, console
   * errors, and Content-Security-Policy refusals (a page breaking its own policy).
   */
  readonly problems: () => readonly string[];
}

/**
 * Registers the hooks of one browser per test file (launched in `beforeAll`) and one fresh
 * context and page per test. Call at the top of a test file or `describe`.
 */
export function useChromium(contextOptions: BrowserContextOptions = {}): ChromiumSession {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    if (!browser) throw new Error('Chromium did not start (see the beforeAll failure)');
    problems = [];
    context = await browser.newContext({
      locale: 'en-US',
      viewport: { width: 1024, height: 768 },
      ...contextOptions,
    });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error on ${page?.url()}: ${message.text()}`);
    });
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: call this inside a test`);
    return value;
  };
  return {
    browser: () => need(browser, 'browser'),
    context: () => need(context, 'browser context'),
    page: () => need(page, 'page'),
    problems: () => problems,
  };
}

/** Removes the screenshots a previous run of a test file left (`<prefix>*.png`). */
export async function clearScreenshots(prefix: string): Promise<void> {
  const names = await readdir(ARTIFACTS_DIR).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && name.endsWith('.png'))
      .map((name) => rm(join(ARTIFACTS_DIR, name), { force: true })),
  );
}

/** Saves a full-page PNG of `page` as `test-artifacts/ui/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** One axe-core rule that failed, with the elements that failed it. */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  helpUrl: string;
  nodes: { target: string; failure: string }[];
}

/** The axe-core API this module uses, as seen inside the page. */
interface AxeInPage {
  run(options: { resultTypes: string[] }): Promise<{
    passes: unknown[];
    violations: {
      id: string;
      impact?: string | null;
      help: string;
      helpUrl: string;
      nodes: { target: unknown[]; failureSummary?: string }[];
    }[];
  }>;
}

let axeSource: Promise<string> | undefined;

/**
 * Runs axe-core on the page as it is now and returns the violations whose impact is
 * `serious` or `critical`.
 *
 * axe is injected as an inline `<script>`. The pages send a strict Content-Security-Policy
 * without 'unsafe-inline', which would (rightly) refuse that script: run this only in a
 * context created with Playwright's `bypassCSP: true` (see {@link useChromium}'s options).
 * As long as the pages break no rule of their own policy, bypassing it changes nothing axe
 * looks at (markup, labels, contrast); the story test runs with the policy enforced and fails
 * on any refusal, so the two stay the same pages.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core'), 'utf8');
  await page.addScriptTag({ content: await axeSource });
  const { checked, violations } = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: AxeInPage }).axe;
    const results = await axe.run({ resultTypes: ['violations'] });
    const violations = results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? 'unknown',
      help: violation.help,
      helpUrl: violation.helpUrl,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' '),
        failure: node.failureSummary ?? '',
      })),
    }));
    return { checked: results.passes.length, violations };
  });
  // A run that passed no rule looked at nothing (an empty or blank page): not a pass.
  if (checked === 0) throw new Error(`axe-core found nothing to check on ${page.url()}`);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** Violations as a readable report for an assertion message. */
export function describeViolations(where: string, violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (violation) =>
        `${where}: ${violation.id} (${violation.impact}) ${violation.help} <${violation.helpUrl}>\n` +
        violation.nodes
          .map((node) => `    at ${node.target}: ${node.failure.replace(/\n/g, ' ')}`)
          .join('\n'),
    )
    .join('\n');
}
