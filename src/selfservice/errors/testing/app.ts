/**
 * A public listener in miniature for the error store's tests: the listener's JSON error handler
 * (app/http.ts), the flows' scope with cookies and forms, the report step as its error handler,
 * the error routes, and routes that fail the way flows do.
 */

import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createHttpServer } from '../../../app/http.js';
import { badRequest } from '../../../kernel/errors.js';
import { silentLogger } from '../../../kernel/logger.js';
import type { Database } from '../../../persistence/database.js';
import { testEngines } from '../../../persistence/testing/engines.js';
import { csrfViolation } from '../../flow/csrf-error.js';
import { rotateCsrfSecret } from '../../flow/http-context.js';
import { TEST_PUBLIC_BASE, testCookies } from '../../flow/testing/cookie-settings.js';
import type { SelfServiceErrorDeps } from '../deps.js';
import { rememberCsrfSecretGiven, reportErrorsToBrowsers } from '../report.js';
import { selfServiceErrorRoutes } from '../routes.js';
import { createSelfServiceErrorStore, type SelfServiceErrorStore } from '../store.js';

export const PUBLIC_BASE = TEST_PUBLIC_BASE;
export { testCookies };
export const ERROR_UI = 'http://127.0.0.1:4455/error';
export const SETTINGS_UI = 'http://127.0.0.1:4455/settings';
export const NOW = new Date('2026-06-01T12:00:00.000Z');

/** What a browser's navigation sends. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export interface ErrorTestApp {
  app: FastifyInstance;
  store: SelfServiceErrorStore;
  /** How many errors are stored. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the app on the first test engine (SQLite); `overrides` replace parts of the deps
 * (given the real store, to wrap it).
 */
export async function startErrorTestApp(
  overrides: (store: SelfServiceErrorStore) => Partial<SelfServiceErrorDeps> = () => ({}),
): Promise<ErrorTestApp> {
  const [engine] = testEngines();
  if (engine === undefined) throw new Error('no test database engine');
  const database: Database & { drop(): Promise<void> } = await engine.open();
  const store = createSelfServiceErrorStore(database.db);
  const deps: SelfServiceErrorDeps = {
    store,
    uiUrl: ERROR_UI,
    settingsUiUrl: SETTINGS_UI,
    cookies: testCookies,
    now: () => NOW,
    ...overrides(store),
  };
  const app = createHttpServer({ logger: silentLogger() });
  await app.register(async (flows) => {
    await flows.register(fastifyCookie);
    await flows.register(fastifyFormbody);
    flows.setErrorHandler(reportErrorsToBrowsers(deps));
    await flows.register(selfServiceErrorRoutes(deps));
    flows.post('/fail/csrf', async () => {
      throw csrfViolation('token_mismatch');
    });
    flows.get('/fail/return-to', async () => {
      throw badRequest('Requested return_to URL "https://evil.example" is not allowed.');
    });
    // As logout: the answer rotates the browser's CSRF secret, then a return_to is refused.
    flows.get('/fail/after-rotation', async (request, reply) => {
      rememberCsrfSecretGiven(request, rotateCsrfSecret(reply, deps.cookies));
      throw badRequest('Requested return_to URL "https://evil.example" is not allowed.');
    });
    flows.get('/fail/crash', async () => {
      throw new Error('connection string postgres://secret@db leaked in a stack');
    });
  });
  await app.ready();
  return {
    app,
    store,
    async count() {
      const rows = await database.db.selectFrom('selfservice_errors').select('id').execute();
      return rows.length;
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

/** The `name=value` pairs a response set, as a `Cookie` header (undefined when none). */
export function cookiesOf(response: LightMyRequestResponse): string | undefined {
  const pairs = response.cookies.map((c) => `${c.name}=${c.value}`);
  return pairs.length === 0 ? undefined : pairs.join('; ');
}

/** The `id` of a `<ui_url>?id=` redirect. */
export function errorIdOf(response: LightMyRequestResponse): string {
  const location = response.headers.location;
  if (typeof location !== 'string') throw new Error(`no redirect: ${response.statusCode} ${response.body}`);
  return new URL(location).searchParams.get('id') ?? '';
}
