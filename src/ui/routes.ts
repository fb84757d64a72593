import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { FlowKind } from '../selfservice/flow/flow.js';
import type { UiDeps } from './deps.js';
import { BUILTIN_LOCALES, loadTranslationsDir } from './i18n/load.js';
import { createTranslations } from './i18n/translator.js';
import { sendErrorPage, showErrorPage, uiErrorHandler } from './pages/error.js';
import { showFlowPage } from './pages/flow.js';
import { showInbox, showInboxMessage } from './pages/inbox.js';
import { revokeSessions, showWelcomePage } from './pages/welcome.js';
import { createRuntime } from './runtime.js';

const FLOW_PAGES: readonly FlowKind[] = ['login', 'registration', 'verification', 'recovery', 'settings'];

/**
 * The built-in UI under `/ui` on the public listener: the flows' pages, welcome, error, the
 * stylesheet, and with `--dev` the inbox. Nothing is registered when `ui.enabled` is false.
 * Errors inside `/ui` become HTML pages; the rest of the listener keeps its JSON errors.
 */
export function uiRoutes(deps: UiDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    if (!deps.config.enabled) return;
    const extra =
      deps.config.translationsDir === undefined
        ? []
        : [await loadTranslationsDir(deps.config.translationsDir, deps.cwd)];
    const runtime = createRuntime(deps, createTranslations([BUILTIN_LOCALES, ...extra]));
    // The flows' scope already parses cookies and forms; elsewhere the UI brings its own.
    if (!app.hasDecorator('parseCookie')) await app.register(fastifyCookie);
    if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(fastifyFormbody);

    await app.register(
      async (ui) => {
        ui.setErrorHandler(uiErrorHandler(runtime));
        ui.setNotFoundHandler((request, reply) =>
          sendErrorPage(runtime, request, reply, { status: 404, message: 'error.not_found' }),
        );

        ui.get('/static/portcullis.css', (request, reply) => {
          const { v } = request.query as { v?: unknown };
          const etag = `"${runtime.css.etag}"`;
          reply
            .header('content-type', 'text/css; charset=utf-8')
            .header('x-content-type-options', 'nosniff')
            .header('etag', etag)
            // A versioned URL never changes; the bare one is revalidated.
            .header(
              'cache-control',
              v === runtime.css.etag ? 'public, max-age=31536000, immutable' : 'no-cache',
            );
          if (request.headers['if-none-match'] === etag) return reply.code(304).send();
          return reply.send(runtime.css.text);
        });

        for (const kind of FLOW_PAGES) {
          ui.get(`/${kind}`, (request, reply) => showFlowPage(runtime, kind, request, reply));
        }
        ui.get('/welcome', (request, reply) => showWelcomePage(runtime, request, reply));
        ui.get('/error', (request, reply) => showErrorPage(runtime, request, reply));
        ui.get('/', (_request, reply) => reply.redirect(runtime.path('welcome'), 303));
        ui.post('/sessions/revoke', (request, reply) => revokeSessions(runtime, 'one', request, reply));
        ui.post('/sessions/revoke-others', (request, reply) =>
          revokeSessions(runtime, 'others', request, reply),
        );
        if (deps.inbox !== undefined) {
          ui.get('/inbox', (request, reply) => showInbox(runtime, request, reply));
          ui.get('/inbox/:id', (request, reply) => showInboxMessage(runtime, request, reply));
        }
      },
      { prefix: '/ui' },
    );
  };
}
