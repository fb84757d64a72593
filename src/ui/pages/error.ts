import type { FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../../app/http.js';
import type { AppError } from '../../kernel/errors.js';
import { html } from '../html/escape.js';
import type { UiKey } from '../i18n/translator.js';
import type { UiRuntime } from '../runtime.js';

export interface ErrorPage {
  readonly status: number;
  readonly title?: UiKey;
  readonly message: UiKey;
  /** Server text about this occurrence (an AppError's reason), shown under the message. */
  readonly detail?: string;
  /** Where "Start again" leads (a flow's init URL). */
  readonly startOver?: string;
  /** A reference the person can quote (an error id). */
  readonly reference?: string;
}

/** Sends an error page with its status; the person always gets a way on. */
export function sendErrorPage(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
  page: ErrorPage,
): FastifyReply {
  const t = runtime.translator(request);
  const body = html`<div class="pc-messages" id="error-message"><p class="pc-message pc-message--error" role="alert">${t.t(
    page.message,
  )}</p></div>${page.detail === undefined ? '' : html`<p class="pc-muted" id="error-detail">${page.detail}</p>`}${
    page.reference === undefined
      ? ''
      : html`<p class="pc-muted" id="error-reference">${t.t('error.reference', { id: page.reference })}</p>`
  }<ul class="pc-links">${
    page.startOver === undefined
      ? ''
      : html`<li><a class="pc-button" id="error-start-over" href="${page.startOver}">${t.t('error.start_over')}</a></li>`
  }<li><a id="error-home" href="${runtime.path('welcome')}">${t.t('error.home')}</a></li></ul>`;
  return runtime.send(request, reply, {
    status: page.status,
    title: t.t(page.title ?? (page.status === 404 ? 'error.not_found_title' : 'error.title')),
    body,
  });
}

/** How an error that reached a UI route is shown. */
export function errorPageFor(error: AppError, startOver?: string): ErrorPage {
  if (error.id === 'security_csrf_violation') return { status: 403, message: 'error.csrf', startOver };
  if (error.code === 404) return { status: 404, message: 'error.not_found', startOver };
  if (error.code >= 500) return { status: error.code, message: 'error.server' };
  return { status: error.code, message: 'error.generic', detail: error.reason ?? error.message, startOver };
}

/** The UI scope's error handler: errors become pages, never JSON. */
export function uiErrorHandler(runtime: UiRuntime) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const appError = toAppError(error as Parameters<typeof toAppError>[0]);
    if (appError.code >= 500) request.log.error({ err: error }, 'ui request failed');
    return sendErrorPage(runtime, request, reply, errorPageFor(appError));
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /ui/error?id=`: where Kratos sends browsers after an error it could not show in a flow.
 * Portcullis keeps no error records, so the page says something went wrong and quotes the id
 * (only when it is a UUID, so the page never repeats text a link put in its URL).
 */
export function showErrorPage(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { id } = request.query as { id?: unknown };
  const reference = typeof id === 'string' && UUID.test(id) ? id : undefined;
  return sendErrorPage(runtime, request, reply, {
    status: 200,
    message: 'error.generic',
    ...(reference === undefined ? {} : { reference }),
  });
}
