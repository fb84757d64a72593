import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import oathkeeperSchema from '../../config/vendor/oathkeeper.config.schema.json' with { type: 'json' };
import type { PipelineDeps } from './handler.js';
import { deepMerge } from './merge.js';
import type { HandlerRegistry } from './registry.js';
import type { CompiledErrorHandler, CompiledPipeline, ErrorHandlers } from './run.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = formatsModule.default;

/** A handler reference in a rule: `{ "handler": "header", "config": { ... } }`. */
export interface HandlerRef {
  handler: string;
  config?: unknown;
}

/** The pipeline part of an access rule. */
export interface RulePipelineSpec {
  id: string;
  authenticators?: readonly HandlerRef[];
  authorizer?: HandlerRef;
  mutators?: readonly HandlerRef[];
  errors?: readonly HandlerRef[] | null;
}

/** One handler's global section: `authenticators.cookie_session: { enabled, config }`. */
export interface HandlerSwitch {
  enabled?: boolean;
  config?: unknown;
}

/** Oathkeeper's global handler config keys, as loaded from the config file. */
export interface PipelineGlobalConfig {
  authenticators?: Record<string, HandlerSwitch>;
  authorizers?: Record<string, HandlerSwitch>;
  mutators?: Record<string, HandlerSwitch>;
  errors?: { fallback?: string[]; handlers?: Record<string, HandlerSwitch> };
}

/** Why a rule's pipeline cannot load; `path` points into the rule (`mutators[0].config`). */
export interface PipelineIssue {
  path: string;
  message: string;
}

export type CompileResult = { ok: true; pipeline: CompiledPipeline } | { ok: false; issues: PipelineIssue[] };

type Kind = 'authenticators' | 'authorizers' | 'mutators' | 'errors';

interface StepByKind {
  authenticators: CompiledPipeline['authenticators'][number];
  authorizers: NonNullable<CompiledPipeline['authorizer']>;
  mutators: CompiledPipeline['mutators'][number];
  errors: CompiledErrorHandler;
}

/** Compiles rule pipelines against one global config; create once per config (re)load. */
export class PipelineCompiler {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly fallback: CompiledErrorHandler[] = [];
  private readonly fallbackIssues: PipelineIssue[] = [];

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly global: PipelineGlobalConfig,
    private readonly deps: PipelineDeps,
  ) {
    this.ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, logger: false });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'ory://oathkeeper-pipeline', definitions: oathkeeperSchema.definitions });
    for (const [i, name] of (global.errors?.fallback ?? ['json']).entries()) {
      const step = this.step('errors', { handler: name }, `errors.fallback[${i}]`, this.fallbackIssues);
      if (step !== undefined) this.fallback.push(step);
    }
  }

  /** The error handlers for a request no rule answers (no match: 404, several: 500). */
  withoutRule(): ErrorHandlers {
    return { errors: [], fallback: this.fallback };
  }

  /** Merges, validates and prepares every handler of a rule. Never throws for bad config. */
  compile(rule: RulePipelineSpec): CompileResult {
    const issues: PipelineIssue[] = [...this.fallbackIssues];
    const authenticators = rule.authenticators ?? [];
    const mutators = rule.mutators ?? [];
    if (authenticators.length === 0)
      issues.push({ path: 'authenticators', message: 'at least one authenticator must be set' });
    if (rule.authorizer === undefined || rule.authorizer.handler === '') {
      issues.push({ path: 'authorizer', message: 'an authorizer must be set' });
    }
    if (mutators.length === 0) issues.push({ path: 'mutators', message: 'at least one mutator must be set' });
    const steps = <K extends Kind>(kind: K, refs: readonly HandlerRef[]): Array<StepByKind[K]> =>
      refs.flatMap((ref, i) => this.step(kind, ref, `${kind}[${i}]`, issues) ?? []);
    const pipeline: CompiledPipeline = {
      rule: { id: rule.id },
      authenticators: steps('authenticators', authenticators),
      authorizer:
        rule.authorizer === undefined
          ? undefined
          : this.step('authorizers', rule.authorizer, 'authorizer', issues),
      mutators: steps('mutators', mutators),
      errors: steps('errors', rule.errors ?? []),
      fallback: this.fallback,
    };
    return issues.length > 0 ? { ok: false, issues } : { ok: true, pipeline };
  }

  private step<K extends Kind>(
    kind: K,
    ref: HandlerRef,
    path: string,
    issues: PipelineIssue[],
  ): StepByKind[K] | undefined {
    const handler = this.registry[kind].get(ref.handler);
    if (handler === undefined) {
      issues.push({ path: `${path}.handler`, message: `unknown ${singular(kind)} "${ref.handler}"` });
      return undefined;
    }
    const sections =
      kind === 'errors' ? this.global.errors?.handlers : this.global[kind as Exclude<Kind, 'errors'>];
    const section = sections?.[ref.handler];
    // Oathkeeper enables the json error handler by default, every other handler must be switched on.
    const enabled = section?.enabled ?? (kind === 'errors' && ref.handler === 'json');
    if (!enabled) {
      issues.push({ path: `${path}.handler`, message: `${singular(kind)} "${ref.handler}" is not enabled` });
      return undefined;
    }
    if (
      ref.config !== undefined &&
      ref.config !== null &&
      (typeof ref.config !== 'object' || Array.isArray(ref.config))
    ) {
      issues.push({ path: `${path}.config`, message: 'config must be an object' });
      return undefined;
    }
    const merged = deepMerge(section?.config ?? {}, ref.config ?? {});
    const validate = this.validator(`${kind}.${handler.id}`, handler.configSchema);
    if (!validate(merged)) {
      for (const e of validate.errors ?? []) {
        issues.push({
          path: `${path}.config${e.instancePath.replace(/\//g, '.')}`,
          message: e.message ?? 'invalid',
        });
      }
      return undefined;
    }
    const prepared = handler.prepare(merged, this.deps);
    if (!prepared.ok) {
      issues.push({ path: `${path}.config`, message: prepared.message });
      return undefined;
    }
    // The handler and its prepared config travel together; the kind picked the handler map.
    return { handler, config: prepared.config } as StepByKind[K];
  }

  private validator(key: string, schema: object): ValidateFunction {
    let v = this.validators.get(key);
    if (v === undefined) {
      v = this.ajv.compile(schema);
      this.validators.set(key, v);
    }
    return v;
  }
}

function singular(kind: Kind): string {
  return kind === 'errors' ? 'error handler' : kind.slice(0, -1);
}
