/**
 * The access-rule pipeline (Oathkeeper's authenticators, authorizers, mutators and error
 * handlers). Compile a rule's pipeline when the rule loads, run it per request:
 *
 * ```ts
 * const compiler = new PipelineCompiler(defaultRegistry(), config, { http, sessionChecker });
 * const compiled = compiler.compile(rule);            // { ok: false, issues } on bad config
 * const result = await runPipeline(compiled.pipeline, request);
 * if (result.kind === 'error') respond(handlePipelineError(compiled.pipeline, result.error, request));
 * ```
 */
export {
  type CompileResult,
  type HandlerRef,
  type HandlerSwitch,
  PipelineCompiler,
  type PipelineGlobalConfig,
  type PipelineIssue,
  type RulePipelineSpec,
} from './compile.js';
export {
  invalidRuleMatched,
  noRuleMatched,
  type PipelineError,
  type PipelineErrorKind,
  pipelineError,
  ruleHasNoUpstream,
  severalRulesMatched,
} from './errors.js';
export type {
  ErrorResponse,
  PipelineDeps,
  SessionChecker,
  SessionCheckRequest,
  SessionCheckResult,
} from './handler.js';
export { defaultRegistry, type HandlerRegistry } from './registry.js';
export {
  type CompiledPipeline,
  type ErrorHandlers,
  handlePipelineError,
  type PipelineResult,
  runPipeline,
} from './run.js';
export {
  type AuthenticationSession,
  bufferedRequestBody,
  type ForwardableBody,
  type PipelineRequest,
  type RequestBody,
  streamedRequestBody,
} from './session.js';
