import type { OutboundHttp } from '../../kernel/http-client.js';
import type { PipelineError } from './errors.js';
import type { AuthenticationSession, PipelineRequest } from './session.js';

/** What a handler knows of the rule it runs in. */
export interface RuleRef {
  id: string;
}

/** A value or the reason it could not be made; used when a rule loads. */
export type Prepared<C> = { ok: true; config: C } | { ok: false; message: string };

/** Providers handlers may use, bound once by the composition root. */
export interface PipelineDeps {
  /** Outbound calls; the access proxy's follows redirects as Go's http.Client (outbound.ts). */
  http: OutboundHttp;
  /**
   * The same for a request body Go could not send twice (the `remote` authorizer's streamed
   * body): a 307/308 is the answer, not followed. `http` when not given.
   */
  httpWithoutBodyReplay?: OutboundHttp;
  /** This process's whoami, for `check_session_url`s that point at it. */
  sessionChecker?: SessionChecker;
}

/** The request a session check makes (to the check URL, or in process). */
export interface SessionCheckRequest {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export type SessionCheckResult =
  /**
   * A 200 with its JSON body (undefined when the body is not JSON). `shared`: the body is a
   * read-only object that stays the same object for as long as the session behind it is
   * unchanged (an in-process cache entry), so what is derived from it may be kept by its
   * identity; a changed or revoked session answers with another object (or not at all).
   */
  | { kind: 'ok'; body: unknown; shared?: boolean }
  | { kind: 'rejected'; status: number }
  | { kind: 'unavailable'; reason: string };

/**
 * Answers a session check in process (no HTTP hop, never a stale answer after a
 * revocation). The wiring binds it to this process's `/sessions/whoami`.
 */
export interface SessionChecker {
  /** Whether `url` is served by this checker (e.g. our own public URL + `/sessions/whoami`). */
  handles(url: URL): boolean;
  check(request: SessionCheckRequest): Promise<SessionCheckResult>;
  /**
   * For a checker that reads nothing but headers: the answer `check` gives a request with
   * these headers (lower-case names), without the check URL and method being built per request.
   */
  checkHeaders?(headers: Readonly<Record<string, string>>): MaybePromise<SessionCheckResult>;
}

export type AuthnResult =
  | { kind: 'authenticated'; subject: string; extra: Record<string, unknown> }
  | { kind: 'not_responsible' }
  | { kind: 'error'; error: PipelineError };

export type StepResult = { kind: 'ok' } | { kind: 'error'; error: PipelineError };

export type MutateResult =
  | { kind: 'ok'; headers: Record<string, string> }
  | { kind: 'error'; error: PipelineError };

/** An error handler's answer, for the decision API or the proxy to write. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What a handler's `handle` gives: the result itself when it has it at once, a promise when it
 * must wait (I/O). The pipeline awaits only promises, so synchronous handlers cost no ticks.
 */
export type MaybePromise<T> = T | Promise<T>;

interface HandlerBase<C> {
  readonly id: string;
  /** JSON schema of the merged config; validated when the rule loads. */
  readonly configSchema: object;
  /** Turns the validated config into what `handle` uses (templates compiled, URLs parsed). */
  prepare(config: Record<string, unknown>, deps: PipelineDeps): Prepared<C>;
}

export interface Authenticator<C = unknown> extends HandlerBase<C> {
  handle(
    request: PipelineRequest,
    session: AuthenticationSession,
    config: C,
    rule: RuleRef,
  ): MaybePromise<AuthnResult>;
}

export interface Authorizer<C = unknown> extends HandlerBase<C> {
  handle(
    request: PipelineRequest,
    session: AuthenticationSession,
    config: C,
    rule: RuleRef,
  ): MaybePromise<StepResult>;
}

export interface Mutator<C = unknown> extends HandlerBase<C> {
  handle(
    request: PipelineRequest,
    session: AuthenticationSession,
    config: C,
    rule: RuleRef,
  ): MaybePromise<MutateResult>;
}

export interface ErrorHandler<C extends { when?: unknown } = { when?: unknown }> extends HandlerBase<C> {
  handle(request: PipelineRequest, error: PipelineError, config: C, rule: RuleRef | undefined): ErrorResponse;
}

/** Handlers with no config of their own accept and keep nothing. */
export const noConfig = (): Prepared<Record<string, never>> => ({ ok: true, config: {} });

/** `$ref` into Oathkeeper's vendored config schema definitions. */
export const oathkeeperDefinition = (name: string): object => ({
  $ref: `ory://oathkeeper-pipeline#/definitions/${name}`,
});
