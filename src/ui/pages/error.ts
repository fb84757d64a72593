import type { FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../../app/http.js';
import type { AppError } from '../../kernel/errors.js';
import { type FlowErrorJson, readFlowError } from '../../selfservice/errors/index.js';
import { html, type SafeHtml } from '../html/escape.js';
import type { Translator, UiKey } from '../i18n/translator.js';
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
  /** What the server stored of an error: its status, message and reason (never a stack). */
  readonly facts?: ErrorFacts;
}

export interface ErrorFacts {
  /** `403 Forbidden`. */
  readonly status: string;
  readonly message: string;
  readonly reason?: string;
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
    page.facts === undefined ? '' : factList(t, page.facts)
  }${
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

/** The stored error's status, message and reason, as a definition list. */
function factList(t: Translator, facts: ErrorFacts): SafeHtml {
  return html`<dl class="pc-traits" id="error-details"><dt>${t.t('error.status')}</dt><dd id="error-status">${
    facts.status
  }</dd><dt>${t.t('error.message')}</dt><dd id="error-text">${facts.message}</dd>${
    facts.reason === undefined
      ? ''
      : html`<dt>${t.t('error.reason')}</dt><dd id="error-reason">${facts.reason}</dd>`
  }</dl>`;
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

function textField(error: FlowErrorJson['error'], name: string): string | undefined {
  const value = error[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** How a stored self-service error is shown: a plain-language line, then what the server said. */
export function storedErrorPage(flowError: FlowErrorJson): ErrorPage {
  const { error } = flowError;
  const code = typeof error.code === 'number' ? error.code : 500;
  const message: UiKey =
    error.id === 'security_csrf_violation'
      ? 'error.csrf'
      : code === 404
        ? 'error.not_found'
        : code >= 500
          ? 'error.server'
          : 'error.generic';
  const reason = textField(error, 'reason');
  return {
    status: 200,
    message,
    reference: flowError.id,
    facts: {
      status: `${code} ${textField(error, 'status') ?? ''}`.trim(),
      message: textField(error, 'message') ?? '',
      ...(reason === undefined ? {} : { reason }),
    },
  };
}

/**
 * `GET /ui/error?id=`: where browsers land after an error no flow could show
 * (`selfservice.flows.error.ui_url`). The error is read as `GET /self-service/errors?id=` reads
 * it — only by the browser that hit it, `stub:<status>` by anyone. An unknown id, another
 * browser's error, or no error store: the page says something went wrong and quotes the id
 * (only when it is a UUID, so the page never repeats text a link put in its URL).
 */
export async function showErrorPage(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { id } = request.query as { id?: unknown };
  const errors = runtime.deps.errors;
  if (typeof id === 'string' && errors !== undefined) {
    const read = await readFlowError(errors, id);
    if (read.kind === 'found') return sendErrorPage(runtime, request, reply, storedErrorPage(read.flowError));
  }
  const reference = typeof id === 'string' && UUID.test(id) ? id : undefined;
  return sendErrorPage(runtime, request, reply, {
    status: 200,
    message: 'error.generic',
    ...(reference === undefined ? {} : { reference }),
  });
}
