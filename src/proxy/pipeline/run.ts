import { jsonErrorHandler } from './errors/errors-json.js';
import { matchesWhen, type WhenClause, WhenConditionError } from './errors/when.js';
import { internalError, type PipelineError, unauthorized } from './errors.js';
import type {
  Authenticator,
  AuthnResult,
  Authorizer,
  ErrorHandler,
  ErrorResponse,
  MaybePromise,
  Mutator,
  RuleRef,
} from './handler.js';
import { type AuthenticationSession, newSession, type PipelineRequest } from './session.js';

export interface CompiledErrorHandler {
  handler: ErrorHandler;
  config: { when?: unknown };
}

/** A rule's pipeline, compiled when the rule loads (see PipelineCompiler). */
export interface CompiledPipeline {
  rule: RuleRef;
  authenticators: Array<{ handler: Authenticator; config: unknown }>;
  authorizer: { handler: Authorizer; config: unknown } | undefined;
  mutators: Array<{ handler: Mutator; config: unknown }>;
  errors: CompiledErrorHandler[];
  /** `errors.fallback` handlers with their global config. */
  fallback: CompiledErrorHandler[];
}

export type PipelineResult =
  | {
      kind: 'allow';
      /** Headers for the upstream (canonical names); they replace client headers of the same name. */
      headers: Record<string, string>;
      subject: string;
      extra: Record<string, unknown>;
    }
  | { kind: 'error'; error: PipelineError };

/**
 * Runs a rule's pipeline: authenticators in order (the first responsible one decides; "not
 * responsible" moves on; any other error stops), the authorizer, then the mutators in order.
 * No responsible authenticator is 401. Handler exceptions become 500s, never escape.
 *
 * Handlers answer at once or with a promise (MaybePromise); only promises are awaited, so a
 * pipeline of synchronous handlers (anonymous, allow, noop, header...) answers synchronously
 * and costs no microtask ticks. The result is a promise only when a handler returned one.
 */
export function runPipeline(
  pipeline: CompiledPipeline,
  request: PipelineRequest,
): MaybePromise<PipelineResult> {
  const run: PipelineRun = { pipeline, request, session: newSession(request) };
  try {
    const result = authenticateFrom(run, 0);
    return result instanceof Promise ? result.catch(crashed) : result;
  } catch (error) {
    return crashed(error);
  }
}

interface PipelineRun {
  pipeline: CompiledPipeline;
  request: PipelineRequest;
  session: AuthenticationSession;
}

type Outcome = MaybePromise<PipelineResult>;

/** `next(value)` now for a value, once it resolves for a promise (a rejection propagates). */
function then<T>(value: MaybePromise<T>, next: (value: T) => Outcome): Outcome {
  return value instanceof Promise ? value.then(next) : next(value);
}

function authenticateFrom(run: PipelineRun, index: number): Outcome {
  const { pipeline, request, session } = run;
  for (let i = index; i < pipeline.authenticators.length; i++) {
    const { handler, config } = pipeline.authenticators[i] as CompiledPipeline['authenticators'][number];
    const result = handler.handle(request, session, config, pipeline.rule);
    if (result instanceof Promise) return result.then((settled) => afterAuthenticator(run, settled, i));
    if (result.kind !== 'not_responsible') return afterAuthenticator(run, result, i);
  }
  return { kind: 'error', error: unauthorized() };
}

function afterAuthenticator(run: PipelineRun, result: AuthnResult, index: number): Outcome {
  if (result.kind === 'not_responsible') return authenticateFrom(run, index + 1);
  if (result.kind === 'error') return result;
  run.session.subject = result.subject;
  run.session.extra = result.extra;
  const authorizer = run.pipeline.authorizer;
  if (authorizer === undefined) return { kind: 'error', error: internalError('rule has no authorizer') };
  return then(
    authorizer.handler.handle(run.request, run.session, authorizer.config, run.pipeline.rule),
    (authz) => (authz.kind === 'error' ? authz : mutateFrom(run, 0)),
  );
}

/**
 * session.header collects what the upstream gets: an authorizer may already have set some
 * (remote's forward_response_headers_to_upstream), and the hydrator replaces it wholesale.
 */
function mutateFrom(run: PipelineRun, index: number): Outcome {
  const { pipeline, request, session } = run;
  for (let i = index; i < pipeline.mutators.length; i++) {
    const { handler, config } = pipeline.mutators[i] as CompiledPipeline['mutators'][number];
    const result = handler.handle(request, session, config, pipeline.rule);
    if (result instanceof Promise)
      return result.then((settled) => (settled.kind === 'error' ? settled : afterMutator(run, settled, i)));
    if (result.kind === 'error') return result;
    Object.assign(session.header, result.headers);
  }
  return { kind: 'allow', headers: session.header, subject: session.subject, extra: session.extra };
}

function afterMutator(run: PipelineRun, result: { headers: Record<string, string> }, index: number): Outcome {
  Object.assign(run.session.header, result.headers);
  return mutateFrom(run, index + 1);
}

function crashed(error: unknown): PipelineResult {
  return { kind: 'error', error: internalError(error instanceof Error ? error.message : 'pipeline failed') };
}

/** The error handlers in play: a rule's, or none (no rule matched) — plus `errors.fallback`. */
export interface ErrorHandlers {
  rule?: RuleRef;
  errors: readonly CompiledErrorHandler[];
  fallback: readonly CompiledErrorHandler[];
}

/**
 * Picks the error handler and renders its answer, as Oathkeeper's RequestHandler.HandleError:
 * the one rule handler whose `when` matches (two matching is a configuration error, 500), else
 * the first `errors.fallback` handler whose global `when` matches, else a 500. A `when` that
 * cannot be evaluated (malformed Content-Type) is a 500 too. When no rule matched (404) or
 * several did (500), pass `compiler.withoutRule()`.
 */
export function handlePipelineError(
  handlers: ErrorHandlers,
  error: PipelineError,
  request: PipelineRequest,
): ErrorResponse {
  try {
    const chosen = ruleHandler(handlers.errors, error, request) ?? fallbackHandler(handlers, error, request);
    return chosen.handler.handle(request, error, chosen.config, handlers.rule);
  } catch (failure) {
    if (!(failure instanceof ErrorHandlerSelectionError)) throw failure;
    return handlerFailure(failure.message, request, handlers.rule);
  }
}

/** Oathkeeper could not pick or run an error handler; it answers with this reason as a 500. */
class ErrorHandlerSelectionError extends Error {
  override readonly name = 'ErrorHandlerSelectionError';
}

// Oathkeeper's messages, verbatim (the stray quote at the end of SEVERAL_RESPONSIBLE included).
const SEVERAL_RESPONSIBLE =
  'Found more than one error handlers to be responsible for this request. This is a configuration error that needs to be resolved by the system administrator."';
const NONE_RESPONSIBLE =
  'Unable to handle HTTP request because no matching error handling strategy was found. This is a bug and should be reported to: http://github.com/ory/oathkeeper';

/** Every rule handler is asked, so overlapping `when`s fail even when the first would do. */
function ruleHandler(
  candidates: readonly CompiledErrorHandler[],
  error: PipelineError,
  request: PipelineRequest,
): CompiledErrorHandler | undefined {
  let chosen: CompiledErrorHandler | undefined;
  for (const candidate of candidates) {
    if (!isResponsible(candidate, error, request)) continue;
    if (chosen !== undefined) throw new ErrorHandlerSelectionError(SEVERAL_RESPONSIBLE);
    chosen = candidate;
  }
  return chosen;
}

/** Fallback handlers are ordered: the first responsible one answers. */
function fallbackHandler(
  handlers: ErrorHandlers,
  error: PipelineError,
  request: PipelineRequest,
): CompiledErrorHandler {
  const chosen = handlers.fallback.find((candidate) => isResponsible(candidate, error, request));
  if (chosen === undefined) throw new ErrorHandlerSelectionError(NONE_RESPONSIBLE);
  return chosen;
}

function isResponsible(
  candidate: CompiledErrorHandler,
  error: PipelineError,
  request: PipelineRequest,
): boolean {
  try {
    return matchesWhen(candidate.config.when as WhenClause[] | undefined, request, error);
  } catch (failure) {
    if (!(failure instanceof WhenConditionError)) throw failure;
    throw new ErrorHandlerSelectionError(
      `Unable to execute error handler "${candidate.handler.id}". This is either a bug or a configuration issue and should be reported to the administrator. Returned error: "${failure.message}". Original error: "${error.message}"`,
    );
  }
}

/** herodot's JSON writer, which shows the reason whatever the json handler's `verbose`. */
function handlerFailure(reason: string, request: PipelineRequest, rule: RuleRef | undefined): ErrorResponse {
  return jsonErrorHandler.handle(request, internalError(reason), { verbose: true }, rule);
}
