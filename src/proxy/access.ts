/**
 * The access-control core both listeners share: the rule repository with every rule's
 * pipeline compiled when the rule loads (never per request), and the URL-to-decision step.
 */

import type { JsonObject, KratosConfigDocument } from '../config/index.js';
import type { OutboundHttp } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import { accessRulesSettings } from './config.js';
import { proxyOutbound } from './outbound.js';
import {
  type CompiledPipeline,
  defaultRegistry,
  type ErrorHandlers,
  type HandlerRegistry,
  PipelineCompiler,
  type PipelineGlobalConfig,
  type SessionChecker,
} from './pipeline/index.js';
import { createRuleRepository, type Rule, type RuleCheckIssue, type RuleRepository } from './rules/index.js';

export interface AccessControl {
  readonly repository: RuleRepository;
  /** The compiled pipeline of a loaded rule. */
  pipeline(rule: Rule): CompiledPipeline;
  /** Error handlers for requests no single rule answers (`errors.fallback`). */
  withoutRule(): ErrorHandlers;
  close(): void;
}

export interface AccessControlDeps {
  /** The shared outbound client; the rules and handlers use it through outbound.ts. */
  readonly http: OutboundHttp;
  readonly logger: Logger;
  readonly cwd: string;
  readonly sessionChecker?: SessionChecker;
  /** Handler registry; `defaultRegistry()` unless set. */
  readonly handlers?: HandlerRegistry;
  /** Watch `file://` repositories (true unless set). */
  readonly watch?: boolean;
}

/**
 * Loads the rules and compiles their pipelines. A rule whose pipeline does not compile (unknown
 * or disabled handler, bad config) is kept as an invalid rule that fails closed (see
 * rules/repository.ts); startup fails only for a repository that cannot be read or decoded.
 */
export async function createAccessControl(
  document: KratosConfigDocument,
  deps: AccessControlDeps,
): Promise<AccessControl> {
  // Oathkeeper's outbound calls follow redirects as Go's http.Client does (outbound.ts).
  const outbound = proxyOutbound(deps.http);
  const compiler = new PipelineCompiler(deps.handlers ?? defaultRegistry(), pipelineGlobalConfig(document), {
    http: outbound.http,
    httpWithoutBodyReplay: outbound.withoutBodyReplay,
    ...(deps.sessionChecker ? { sessionChecker: deps.sessionChecker } : {}),
  });
  // Rules are immutable objects kept by the repository; their pipelines are attached here.
  const pipelines = new WeakMap<Rule, CompiledPipeline>();
  const checkRule = (rule: Rule): readonly RuleCheckIssue[] => {
    const result = compiler.compile(rule);
    if (!result.ok) return result.issues.map((i) => ({ field: i.path, message: i.message }));
    pipelines.set(rule, result.pipeline);
    return [];
  };
  const repository = await createRuleRepository(accessRulesSettings(document), {
    http: outbound.http,
    logger: deps.logger,
    cwd: deps.cwd,
    checkRule,
    ...(deps.watch !== undefined ? { watch: deps.watch } : {}),
  });
  return {
    repository,
    pipeline(rule) {
      const known = pipelines.get(rule);
      if (known !== undefined) return known;
      // Not reached: every valid rule passed checkRule. Compile rather than fail open.
      const result = compiler.compile(rule);
      if (!result.ok) throw new Error(`access rule ${rule.id} does not compile`);
      pipelines.set(rule, result.pipeline);
      return result.pipeline;
    },
    withoutRule: () => compiler.withoutRule(),
    close: () => repository.close(),
  };
}

/** Oathkeeper's global handler sections, as the compiler reads them. */
export function pipelineGlobalConfig(document: KratosConfigDocument): PipelineGlobalConfig {
  const section = (key: string): JsonObject | undefined => {
    const value = (document as JsonObject)[key];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  };
  // The document was validated against Oathkeeper's schema: these sections have its shape.
  return {
    authenticators: section('authenticators') as PipelineGlobalConfig['authenticators'],
    authorizers: section('authorizers') as PipelineGlobalConfig['authorizers'],
    mutators: section('mutators') as PipelineGlobalConfig['mutators'],
    errors: section('errors') as PipelineGlobalConfig['errors'],
  } satisfies PipelineGlobalConfig;
}

/** Whether the config asks for the access proxy roles (see docs/proxy.md, "Listeners"). */
export function proxyRoles(document: KratosConfigDocument): { proxy: boolean; api: boolean } {
  const serve = (document as JsonObject).serve;
  const has = (key: string): boolean =>
    typeof serve === 'object' && serve !== null && !Array.isArray(serve) && Object.hasOwn(serve, key);
  const proxy = has('proxy');
  const api = has('api');
  if (proxy || api) return { proxy, api };
  const configured = accessRulesSettings(document).repositories.length > 0;
  return { proxy: configured, api: configured };
}
