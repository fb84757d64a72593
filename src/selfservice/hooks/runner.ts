import type { FastifyRequest } from 'fastify';
import type { HookConfig, SelfServiceConfig, SelfServiceFlowConfig } from '../../config/index.js';
import type { JsonValue } from '../../identity/model.js';
import { AppError } from '../../kernel/errors.js';
import type { FlowKind, SelfServiceFlow } from '../flow/flow.js';
import type { UiText } from '../flow/messages.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { serializeFlow } from '../flow/serialize.js';
import { parseWebHookConfig, type WebHookConfig } from './web-hook/config.js';
import { type HookContext, requestFacts } from './web-hook/context.js';
import { executeWebHook, type WebHookDeps } from './web-hook/execute.js';
import type { IdentityPatch } from './web-hook/response.js';

/** The methods whose `after.<method>.hooks` the flows read. */
const METHODS = [
  'password',
  'profile',
  'code',
  'link',
  'oidc',
  'totp',
  'webauthn',
  'lookup_secret',
  'passkey',
];
const KINDS: readonly FlowKind[] = ['login', 'registration', 'settings', 'recovery', 'verification'];

/**
 * Flows whose after hooks Kratos runs in one list, parse hooks included (its ExecuteLoginPostHook,
 * on the session about to be stored, ExecutePostRecoveryHook and ExecutePostVerificationHook call
 * `execute` for every web hook), so `mustPass` runs them all.
 */
const PARSE_HOOKS_WITH_THE_OTHERS: ReadonlySet<FlowKind> = new Set(['login', 'recovery', 'verification']);

/** What a flow hands to its hooks beside the request and the flow. */
export interface HookSubject {
  identity?: JsonValue;
  session?: JsonValue;
  transientPayload?: JsonValue;
}

/**
 * The subject, built only when a hook of that phase is configured: flows call the runner on
 * every success, and most deployments configure no web hook, so serialising the identity or
 * reading the session must cost nothing then.
 */
export type HookSubjectSource = () => HookSubject | Promise<HookSubject>;

/**
 * A `response.parse` (or `can_interrupt`) hook's 4xx answer with messages, as `mustPass` returns
 * it for the flows whose parse hooks run there (recovery): Kratos's web hook returns a validation
 * error, which the flow shows (as messages on a new flow) instead of an error page. Thrown as is,
 * it is a plain 400.
 */
export class WebHookRefusal extends AppError {
  constructor(
    /** Messages on the nodes the hook named (`traits.email`). */
    readonly fields: Readonly<Record<string, UiText[]>>,
    /** Messages on the whole form (`instance_ptr` `#/` or empty). */
    readonly form: readonly UiText[],
  ) {
    super('bad_request', 400, 'The request was malformed or contained invalid parameters', {
      reason: 'A web hook refused the flow.',
      exposeId: false,
    });
  }
}

/**
 * A `before` hook's refusal (a `response.parse` or `can_interrupt` hook's 4xx with messages).
 * Kratos's pre hooks have no form to show messages on: the web hook's ValidationListError
 * aborts the flow's creation and reaches the client as herodot writes an error it has no status
 * for, a plain 500 (an error page for browsers), naming one "validation error" per message
 * group. The flow is not started.
 */
export function beforeHookRefused(
  fields: Readonly<Record<string, UiText[]>>,
  form: readonly UiText[],
): AppError {
  const pointers = [
    ...(form.length > 0 ? ['#/'] : []),
    ...Object.keys(fields).map((f) => `#/${f.split('.').join('/')}`),
  ];
  const lines = pointers.map((ptr, i) => `\n(${i}) I[${ptr}] S[] a webhook target returned an error`);
  return new AppError(
    'internal_server_error',
    500,
    `${pointers.length} validation errors occurred:${lines.join('')}`,
    {
      exposeId: false,
    },
  );
}

export type PrePersistResult =
  | { kind: 'continue'; patches: IdentityPatch[] }
  | { kind: 'validation'; fields: Record<string, UiText[]>; form: UiText[] }
  | { kind: 'failed'; error: AppError };

/**
 * Runs the `web_hook` hooks of the self-service flows, in config order, as Kratos does:
 * `before` hooks when a flow starts; after a flow succeeds, hooks with `response.parse` run
 * before the change is saved (they may change the identity or stop the flow; for registration
 * and settings only those of `after.<method>.hooks`, never the flow's `after.hooks`), the others after
 * it (their failures are logged and undo nothing; `response.ignore` ones go through the
 * durable outbox), but for login and recovery, where they run before the session is stored and a
 * failure denies it (`mustPass`).
 */
export interface HookRunner {
  before(kind: FlowKind, request: FastifyRequest, flow: SelfServiceFlow): Promise<AppError | undefined>;
  prePersist(
    kind: FlowKind,
    method: string,
    request: FastifyRequest,
    flow: SelfServiceFlow,
    subject: HookSubjectSource,
  ): Promise<PrePersistResult>;
  postPersist(
    kind: FlowKind,
    method: string,
    request: FastifyRequest,
    flow: SelfServiceFlow,
    subject: HookSubjectSource,
  ): Promise<void>;
  /**
   * The flow's after hooks, where a failing one stops the flow (its error is returned, the later
   * hooks do not run): login and recovery run them on the session before storing it, as Kratos
   * runs every login hook and every post-recovery hook, so a hook can deny a sign-in;
   * verification runs them before the address is marked verified, as Kratos's
   * verificationUseCode/UseToken. Login's parse hooks ran in `prePersist` already and are left
   * out; recovery's and verification's run here, in config order with the others, as Kratos's
   * ExecutePostRecoveryHook and ExecutePostVerificationHook call every web hook: a 4xx with
   * messages is a {@link WebHookRefusal}, and a 200's identity changes are not applied.
   * `response.ignore` ones are queued as always.
   */
  mustPass(
    kind: FlowKind,
    method: string,
    request: FastifyRequest,
    flow: SelfServiceFlow,
    subject: HookSubjectSource,
  ): Promise<AppError | undefined>;
}

export interface HookRunnerDeps extends WebHookDeps {
  config: SelfServiceConfig;
  publicBase: URL;
  headerAllowlist: readonly string[];
}

function flowConfig(config: SelfServiceConfig, kind: FlowKind): SelfServiceFlowConfig {
  return config[kind];
}

function webHooks(hooks: readonly HookConfig[]): WebHookConfig[] {
  return hooks.filter((h) => h.hook === 'web_hook').map((h) => parseWebHookConfig(h.config));
}

/** Builds the runner; every web hook in the config is read now, so a broken one stops the start. */
export function createHookRunner(deps: HookRunnerDeps): HookRunner {
  const before = new Map<FlowKind, WebHookConfig[]>();
  const after = new Map<string, WebHookConfig[]>();
  const beforeSave = new Map<string, WebHookConfig[]>();
  for (const kind of KINDS) {
    before.set(kind, webHooks(flowConfig(deps.config, kind).before));
    for (const method of METHODS) {
      after.set(`${kind}:${method}`, webHooks(flowConfig(deps.config, kind).after.hooks(method)));
      beforeSave.set(`${kind}:${method}`, webHooks(parseHookList(kind, method)));
    }
  }
  const afterHooks = (kind: FlowKind, method: string): WebHookConfig[] =>
    after.get(`${kind}:${method}`) ?? webHooks(flowConfig(deps.config, kind).after.hooks(method));
  const parseHooks = (kind: FlowKind, method: string): WebHookConfig[] =>
    (beforeSave.get(`${kind}:${method}`) ?? webHooks(parseHookList(kind, method))).filter((h) => h.parse);

  /**
   * Where the hooks that run before a save are read. Registration and settings: the method's own
   * `after.<method>.hooks` only, as Kratos's PostRegistrationPrePersistHooks and
   * PostSettingsPrePersistHooks (the flow's `after.hooks` is a fallback for the post-persist
   * hooks only, and there Kratos's web hook skips `response.parse` ones, so a parse hook in
   * `after.hooks` never runs for these flows). Login: every post-login hook, the method's or
   * else the flow's, as Kratos's PostLoginHooks.
   */
  function parseHookList(kind: FlowKind, method: string): readonly HookConfig[] {
    const flowAfter = flowConfig(deps.config, kind).after;
    return kind === 'registration' || kind === 'settings'
      ? flowAfter.ownHooks(method)
      : flowAfter.hooks(method);
  }

  function context(request: FastifyRequest, flow: SelfServiceFlow, subject: HookSubject): HookContext {
    const flowJson = serializeFlow(flow);
    // Kratos's flows carry the submission's payload (`transient_payload`, omitted when absent),
    // and its web hooks read it there: ctx.flow.transient_payload.
    if (subject.transientPayload !== undefined) flowJson.transient_payload = subject.transientPayload;
    const ctx: HookContext = {
      flow: flowJson,
      ...requestFacts(request, publicRequestUrl(request, deps.publicBase), deps.headerAllowlist),
    };
    if (subject.identity !== undefined) ctx.identity = subject.identity;
    if (subject.session !== undefined) ctx.session = subject.session;
    return ctx;
  }

  return {
    async before(kind, request, flow) {
      const hooks = before.get(kind) ?? [];
      for (const [index, hook] of hooks.entries()) {
        const outcome = await executeWebHook(
          deps,
          hook,
          context(request, flow, {}),
          `${kind}.before.${index}`,
        );
        if (outcome.kind === 'failed') return outcome.error;
        // A parse or can_interrupt hook's 4xx with messages refuses the flow, as Kratos's.
        if (outcome.kind === 'validation') return beforeHookRefused(outcome.fields, outcome.form);
      }
      return undefined;
    },

    async prePersist(kind, method, request, flow, subject) {
      const patches: IdentityPatch[] = [];
      const hooks = parseHooks(kind, method);
      if (hooks.length === 0) return { kind: 'continue', patches };
      const ctx = context(request, flow, await subject());
      for (const [index, hook] of hooks.entries()) {
        const outcome = await executeWebHook(deps, hook, ctx, `${kind}.after.${method}.parse.${index}`);
        if (outcome.kind === 'validation' || outcome.kind === 'failed') return outcome;
        if (outcome.kind === 'done' && outcome.patch) patches.push(outcome.patch);
      }
      return { kind: 'continue', patches };
    },

    async postPersist(kind, method, request, flow, subject) {
      const hooks = afterHooks(kind, method).filter((hook) => !hook.parse);
      if (hooks.length === 0) return;
      const ctx = context(request, flow, await subject());
      for (const [index, hook] of hooks.entries()) {
        const name = `${kind}.after.${method}.${index}`;
        try {
          // Failures are logged inside: the change is saved and stays saved.
          await executeWebHook(deps, hook, ctx, name);
        } catch (error) {
          deps.logger.error({ hook: name, err: (error as Error).message }, 'web hook could not run');
        }
      }
    },

    async mustPass(kind, method, request, flow, subject) {
      const hooks = afterHooks(kind, method).filter(
        (hook) => PARSE_HOOKS_WITH_THE_OTHERS.has(kind) || !hook.parse,
      );
      if (hooks.length === 0) return undefined;
      const ctx = context(request, flow, await subject());
      for (const [index, hook] of hooks.entries()) {
        const outcome = await executeWebHook(deps, hook, ctx, `${kind}.after.${method}.${index}`);
        if (outcome.kind === 'failed') return outcome.error;
        if (outcome.kind === 'validation') return new WebHookRefusal(outcome.fields, outcome.form);
      }
      return undefined;
    },
  };
}
