import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toAppError } from '../../app/http.js';
import type { AppError } from '../../kernel/errors.js';
import { csrfBinding, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import type { SelfServiceErrorDeps } from './deps.js';
import { errorUiUrl, storedErrorBody } from './flow-error.js';

/**
 * Whether a person's browser asked for a page (a navigation or an HTML form post: `Accept`
 * names text/html) rather than a script, an SPA or a native app, which read errors as JSON.
 */
export function isBrowserPageRequest(request: FastifyRequest): boolean {
  return !wantsJson(request) && (request.headers.accept ?? '').includes('text/html');
}

/**
 * `GET /self-service/<flow>/flows?id=`: Kratos's flow fetches are API endpoints whose errors
 * (unknown flow, expired flow with `use_flow_id`, CSRF) are JSON whatever the `Accept` header:
 * the UI that fetches a flow reads them, even when it renders server-side with a browser's headers.
 */
const FLOW_FETCH = /^\/self-service\/[a-z]+\/flows$/;

function isFlowFetch(request: FastifyRequest): boolean {
  return request.method === 'GET' && FLOW_FETCH.test(request.routeOptions.url ?? '');
}

/** CSRF secrets that the answer to a request gives the browser (see rememberCsrfSecretGiven). */
const secretsGiven = new WeakMap<FastifyRequest, Buffer>();

/**
 * Records that the answer to `request` gives the browser a new CSRF secret (logout rotates it):
 * an error reported later in the same request is stored with that secret, the one the browser
 * holds afterwards, as Kratos's errorx Create takes GenerateCSRFToken after RegenerateToken.
 */
export function rememberCsrfSecretGiven(request: FastifyRequest, secret: Buffer): void {
  secretsGiven.set(request, secret);
}

/** The secret the browser holds once this answer arrives: given now, sent with the request, or new. */
function browserSecretAfterReply(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: Pick<SelfServiceErrorDeps, 'cookies'>,
): Buffer {
  return secretsGiven.get(request) ?? ensureCsrfSecret(request, reply, deps.cookies);
}

/**
 * Stores `error` and sends the browser to the error UI (`303 <ui_url>?id=<id>`), as Kratos's
 * errorx Forward. The error is stored with a hash of the browser's CSRF secret (given one now if
 * it has none, as Kratos's GenerateCSRFToken), which records whose error it is; reading it takes
 * only its id (see readFlowError).
 */
export async function reportErrorToBrowser(
  deps: SelfServiceErrorDeps & { uiUrl: string },
  request: FastifyRequest,
  reply: FastifyReply,
  error: AppError,
): Promise<FastifyReply> {
  const secret = browserSecretAfterReply(request, reply, deps);
  const now = deps.now();
  const id = randomUUID();
  await deps.store.create({
    id,
    error: storedErrorBody(error),
    csrfToken: csrfBinding(secret),
    wasSeen: false,
    seenAt: null,
    createdAt: now,
    updatedAt: now,
  });
  return reply.redirect(errorUiUrl(deps.uiUrl, id), 303);
}

/**
 * The self-service flows' error handler (Kratos's errorx Forward): an error that reaches it
 * could not be shown on a flow — a CSRF violation, an unknown flow, a forbidden return_to, an
 * invalid link or callback, an internal error. A browser asking for a page is sent to the error
 * UI; every other client, every flow fetch (see {@link isFlowFetch}) and any browser when storing
 * fails gets the JSON error from the listener's handler, to which the error is passed on.
 */
export function reportErrorsToBrowsers(deps: SelfServiceErrorDeps) {
  return async function selfServiceErrorHandler(
    error: FastifyError | AppError,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const { uiUrl } = deps;
    if (uiUrl === undefined || !isBrowserPageRequest(request) || isFlowFetch(request)) throw error;
    const appError = toAppError(error);
    let reported: FastifyReply;
    try {
      reported = await reportErrorToBrowser({ ...deps, uiUrl }, request, reply, appError);
    } catch (storeError) {
      request.log.error({ err: storeError }, 'could not store a self-service error for the error UI');
      throw error;
    }
    if (appError.code >= 500) request.log.error({ err: error }, 'request failed');
    return reported;
  };
}
