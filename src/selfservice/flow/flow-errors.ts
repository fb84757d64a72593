import { AppError, type ErrorBody, notFound } from '../../kernel/errors.js';
import { Msg, type UiText, uiText } from './messages.js';

/**
 * 410 `self_service_flow_expired`. Like Kratos, the body names a fresh flow the client can
 * continue with (`use_flow_id`) beside the error.
 */
export class FlowExpiredError extends AppError {
  constructor(
    readonly expiredAt: Date,
    readonly now: Date,
    readonly useFlowId: string | undefined,
  ) {
    const minutes = ((now.getTime() - expiredAt.getTime()) / 60_000).toFixed(2);
    super('self_service_flow_expired', 410, 'self-service flow expired', {
      reason: `The self-service flow expired ${minutes} minutes ago, initialize a new one.`,
    });
  }

  override toJSON(): ErrorBody & { expired_at: string; since: number; use_flow_id?: string } {
    const body: ErrorBody & { expired_at: string; since: number; use_flow_id?: string } = {
      ...super.toJSON(),
      expired_at: this.expiredAt.toISOString(),
      // Kratos reports `since` as a Go duration in nanoseconds.
      since: (this.now.getTime() - this.expiredAt.getTime()) * 1e6,
    };
    if (this.useFlowId !== undefined) body.use_flow_id = this.useFlowId;
    return body;
  }
}

/**
 * 410 `self_service_flow_replaced`, Kratos's flow.NewFlowReplacedError: the flow is done for (its
 * code tried too often, say) and a new one carries on, named beside the error (`use_flow_id`).
 */
export class FlowReplacedError extends AppError {
  /**
   * `reason` as Kratos words it: "retry the flow" after an error (retry…WithError), "use the new
   * flow" when the new flow carries a message (retry…WithMessage).
   */
  constructor(
    readonly useFlowId: string,
    reason: 'retry' | 'use_new_flow' = 'retry',
  ) {
    super('self_service_flow_replaced', 410, 'self-service flow replaced', {
      reason:
        reason === 'retry'
          ? 'An error occured, please retry the flow.'
          : 'An error occured, please use the new flow.',
    });
  }

  override toJSON(): ErrorBody & { use_flow_id: string } {
    return { ...super.toJSON(), use_flow_id: this.useFlowId };
  }
}

const ALREADY_LOGGED_IN_REASONS = {
  login:
    'A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?',
  registration: 'A valid session was detected and thus registration is not possible.',
  recovery: 'A valid session was detected and thus recovery is not possible.',
} as const;

/** Kratos's ErrAlreadyLoggedIn of each flow: a session exists (and, for login, no `refresh`). */
export function sessionAlreadyAvailable(flow: keyof typeof ALREADY_LOGGED_IN_REASONS): AppError {
  return new AppError('session_already_available', 400, 'you are already logged in', {
    reason: ALREADY_LOGGED_IN_REASONS[flow],
  });
}

/** Native (api) flows must not carry browser state: a cookie or an Origin means the browser flow. */
export function browserRequestOnApiFlow(what: 'cookie' | 'origin'): AppError {
  return new AppError('bad_request', 400, 'The request was malformed or contained invalid parameters', {
    // Kratos's ErrOriginHeaderNeedsBrowserFlow / ErrCookieHeaderNeedsBrowserFlow, word for word.
    reason:
      what === 'origin'
        ? 'The HTTP Request Header included the "Origin" key, indicating that this request was made as part of an AJAX request in a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.'
        : 'The HTTP Request Header included the "Cookie" key, indicating that this request was made by a Browser. The flow however was initiated as an API request. To prevent potential misuse and mitigate several attack vectors including CSRF, the request has been blocked. Please consult the documentation.',
    exposeId: false,
  });
}

function tooManyAttemptsReason(retryAfterSeconds: number): string {
  return `Too many failed attempts. Try again in ${retryAfterSeconds} seconds.`;
}

/**
 * The wait told on a browser's form, which goes back to the form rather than to an error page
 * that would lose the flow. Kratos's catalogue has no throttling message: this is its generic
 * one (5000001, "{reason}"), with the 429's reason.
 */
export function tooManyAttemptsText(retryAfterSeconds: number): UiText {
  return uiText(Msg.ErrorSystemGeneric, { reason: tooManyAttemptsReason(retryAfterSeconds) });
}

/** 429 with the seconds to wait; the route sets `Retry-After`. */
export function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError('too_many_requests', 429, 'Too many requests', {
    reason: tooManyAttemptsReason(retryAfterSeconds),
    details: { retry_after_seconds: retryAfterSeconds },
    exposeId: false,
  });
}

/** Kratos's ErrIdentityMismatch: a refresh signed in as someone other than the session's identity. */
export function identityMismatch(): AppError {
  return new AppError(
    'security_identity_mismatch',
    400,
    'The request was malformed or contained invalid parameters',
    {
      reason: 'You must sign in with the same identity that the current session belongs to.',
    },
  );
}

/** Kratos's `strategy.EndpointDisabledMessage`. */
const ENDPOINT_DISABLED_REASON =
  'This endpoint was disabled by system administrator. Please check your url or contact the system administrator to enable it.';

/**
 * A submission naming a method (`method: password`, `method: oidc`) that
 * `selfservice.methods.<method>.enabled` switches off. As Kratos's `flow.MethodEnabledAndAllowed`,
 * which each strategy's Login and Register call before reading anything else of the submission:
 * 404 with EndpointDisabledMessage (JSON for API and SPA clients, the error UI for a browser's
 * form post). Nothing is created or checked.
 */
export function methodDisabled(): AppError {
  return notFound(ENDPOINT_DISABLED_REASON);
}
