import { jsonErrorHandler } from './errors/errors-json.js';
import { matchesWhen, type WhenClause } from './errors/when.js';
import { internalError, type PipelineError, unauthorized } from './errors.js';
import type { Authenticator, Authorizer, ErrorHandler, ErrorResponse, Mutator, RuleRef } from './handler.js';
import { newSession, type PipelineRequest } from './session.js';

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
 */
export async function runPipeline(
  pipeline: CompiledPipeline,
  request: PipelineRequest,
): Promise<PipelineResult> {
  const session = newSession(request);
  const rule = pipeline.rule;
  try {
    let authenticated = false;
    for (const { handler, config } of pipeline.authenticators) {
      const result = await handler.handle(request, session, config, rule);
      if (result.kind === 'not_responsible') continue;
      if (result.kind === 'error') return result;
      session.subject = result.subject;
      session.extra = result.extra;
      authenticated = true;
      break;
    }
    if (!authenticated) return { kind: 'error', error: unauthorized() };
    if (pipeline.authorizer === undefined)
      return { kind: 'error', error: internalError('rule has no authorizer') };
    const authz = await pipeline.authorizer.handler.handle(
      request,
      session,
      pipeline.authorizer.config,
      rule,
    );
    if (authz.kind === 'error') return authz;
    // session.header collects what the upstream gets: an authorizer may already have set some
    // (remote's forward_response_headers_to_upstream), and the hydrator replaces it wholesale.
    for (const { handler, config } of pipeline.mutators) {
      const result = await handler.handle(request, session, config, rule);
      if (result.kind === 'error') return result;
      Object.assign(session.header, result.headers);
    }
    return { kind: 'allow', headers: session.header, subject: session.subject, extra: session.extra };
  } catch (error) {
    return {
      kind: 'error',
      error: internalError(error instanceof Error ? error.message : 'pipeline failed'),
    };
  }
}

/** The error handlers in play: a rule's, or none (no rule matched) — plus `errors.fallback`. */
export interface ErrorHandlers {
  rule?: RuleRef;
  errors: readonly CompiledErrorHandler[];
  fallback: readonly CompiledErrorHandler[];
}

/**
 * Picks the error handler and renders its answer: the first of the rule's handlers whose
 * `when` matches, else the first `errors.fallback` handler, else plain JSON. When no rule
 * matched (404) or several did (500), pass `compiler.withoutRule()`.
 */
export function handlePipelineError(
  handlers: ErrorHandlers,
  error: PipelineError,
  request: PipelineRequest,
): ErrorResponse {
  const chosen =
    handlers.errors.find((h) => matchesWhen(h.config.when as WhenClause[] | undefined, request, error)) ??
    handlers.fallback[0];
  if (chosen !== undefined) return chosen.handler.handle(request, error, chosen.config, handlers.rule);
  return jsonErrorHandler.handle(request, error, { verbose: false }, handlers.rule);
}
