import { parseDuration } from '../../kernel/duration.js';
import { type ConfigDoc, nonEmptyString, objectOrEmpty } from '../document-read.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument } from '../types.js';

/** One configured hook: `{hook: 'session'}`, `{hook: 'web_hook', config: {...}}`. */
export interface HookConfig {
  readonly hook: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface FlowAfter {
  /**
   * Hooks for the method if its own list has any, else the flow's `after.hooks`: the hooks that
   * run once the flow's change is saved (Kratos's post-persist and post-login hooks).
   */
  hooks(method: string): readonly HookConfig[];
  /**
   * `after.<method>.hooks` only, never the flow's `after.hooks`: where Kratos reads the hooks
   * that run before a registration or settings change is saved (its PostRegistrationPrePersist
   * and PostSettingsPrePersist hooks, `response.parse` web hooks), with no fallback.
   */
  ownHooks(method: string): readonly HookConfig[];
  /** The method's `default_browser_return_url`, else the flow's, else the global one. */
  returnUrl(method: string): string;
}

export interface SelfServiceFlowConfig {
  readonly uiUrl: string;
  readonly lifespanMs: number;
  /** `before.hooks`: run when a flow starts (web_hook only). */
  readonly before: readonly HookConfig[];
  readonly after: FlowAfter;
}

/** `selfservice.*`, with Kratos's defaults. UI URLs default to the built-in UI. */
export interface SelfServiceConfig {
  readonly defaultReturnUrl: string;
  readonly allowedReturnUrls: readonly string[];
  readonly login: SelfServiceFlowConfig & {
    /** `flows.login.style`: one form (`unified`, Kratos's default) or identifier, then credentials. */
    readonly style: 'unified' | 'identifier_first';
  };
  readonly registration: SelfServiceFlowConfig & {
    readonly enabled: boolean;
    readonly style: 'unified' | 'profile_first';
    /**
     * `flows.registration.login_hints` (default false): a taken identifier says how the existing
     * account signs in (4000028) instead of only that it exists (4000007), as Kratos's
     * SelfServiceFlowRegistrationLoginHints.
     */
    readonly loginHints: boolean;
    /**
     * `feature_flags.password_profile_registration_node_group` (default `default`): the group of the
     * unified form's trait nodes; `password` keeps UIs written before Kratos moved them to `default`.
     */
    readonly passwordProfileGroup: 'default' | 'password';
  };
  readonly logout: { readonly returnUrl: string };
  /**
   * `security.account_enumeration.mitigate` (default false): the identifier-first login shows the
   * password step whether or not the account exists, instead of saying it does not.
   */
  readonly mitigateAccountEnumeration: boolean;
  /**
   * `selfservice.flows.error.ui_url`: where browsers see an error that no flow can show. By
   * default the built-in UI's error page; undefined when that UI is off and no URL is set, and
   * browsers then get the JSON error (Kratos would send them to its fallback page on ory.com).
   */
  readonly error: { readonly uiUrl: string | undefined };
  readonly verification: SelfServiceFlowConfig & AddressFlowConfig;
  readonly recovery: SelfServiceFlowConfig &
    AddressFlowConfig & {
      /**
       * `recovery.after.default_browser_return_url` when set (no fallback): where the settings
       * flow a recovery continues into sends the person once they saved, as Kratos's
       * SelfServiceFlowRecoveryReturnTo.
       */
      readonly afterReturnUrl: string | undefined;
    };
  readonly settings: SelfServiceFlowConfig & {
    /** How long after signing in a session may change passwords and addresses. */
    readonly privilegedSessionMaxAgeMs: number;
  };
  /**
   * `methods.password`: `enabled` (default true) switches the method off everywhere, as Kratos
   * lists only enabled strategies: no password nodes on login, registration or settings forms,
   * and a `method: password` submission is refused.
   */
  readonly password: { readonly enabled: boolean; readonly config: Readonly<Record<string, unknown>> };
  readonly profile: { readonly enabled: boolean };
  /** `selfservice.methods.code`: one-time codes for verification and recovery (on by default). */
  readonly code: { readonly enabled: boolean; readonly lifespanMs: number; readonly maxSubmissions: number };
  /** `selfservice.methods.link`: one-time links for verification and recovery (off by default, as Kratos). */
  readonly link: { readonly enabled: boolean; readonly lifespanMs: number };
  /** `feature_flags.*` that bring back behaviour Kratos changed (both off by default, as Kratos). */
  readonly featureFlags: VerificationFeatureFlags;
}

/** The `feature_flags` that restore Kratos's verification behaviour before v25.4. */
export interface VerificationFeatureFlags {
  /**
   * `feature_flags.legacy_continue_with_verification_ui`: as Kratos's Verifier, a verification
   * flow (and a message) for every unverified address, each listed in `continue_with`; off, only
   * the first address gets one, listed only by the `show_verification_ui` hook.
   */
  readonly legacyContinueWithVerificationUi: boolean;
  /**
   * `feature_flags.legacy_require_verified_login_error`: `require_verified_address` refuses with
   * message 4000010 on the login form, for the password method only; off, it starts a
   * verification flow and answers 403 (or 303 to the verification UI), as Kratos's AddressVerifier.
   */
  readonly legacyRequireVerifiedLoginError: boolean;
}

/** Verification and recovery: both send a code or a link to an address. */
export interface AddressFlowConfig {
  readonly enabled: boolean;
  readonly use: 'code' | 'link';
  /** Whether an address with no account behind it still gets an email saying so. */
  readonly notifyUnknownRecipients: boolean;
}

function hookList(value: unknown): HookConfig[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((h) => ({
    hook: String(objectOrEmpty(h).hook),
    config: objectOrEmpty(objectOrEmpty(h).config),
  }));
}

function flowAfter(after: ConfigDoc, fallbackReturnUrl: string): FlowAfter {
  return {
    hooks(method) {
      // As Kratos's registry: the flow-wide list when the method has no hooks, an empty list too
      // (`if len(hooks) == 0 { global hooks }`).
      const own = hookList(objectOrEmpty(after[method]).hooks);
      return own !== undefined && own.length > 0 ? own : (hookList(after.hooks) ?? []);
    },
    ownHooks(method) {
      return hookList(objectOrEmpty(after[method]).hooks) ?? [];
    },
    returnUrl(method) {
      return (
        nonEmptyString(objectOrEmpty(after[method]).default_browser_return_url) ??
        nonEmptyString(after.default_browser_return_url) ??
        fallbackReturnUrl
      );
    },
  };
}

function flowConfig(
  flow: ConfigDoc,
  publicBase: URL,
  page: string,
  defaultReturnUrl: string,
): SelfServiceFlowConfig {
  return {
    uiUrl: nonEmptyString(flow.ui_url) ?? new URL(`ui/${page}`, publicBase).toString(),
    lifespanMs: parseDuration(nonEmptyString(flow.lifespan) ?? '1h') ?? 3_600_000,
    before: hookList(objectOrEmpty(flow.before).hooks) ?? [],
    after: flowAfter(objectOrEmpty(flow.after), defaultReturnUrl),
  };
}

function addressFlow(flow: ConfigDoc): AddressFlowConfig {
  return {
    enabled: flow.enabled === true,
    use: flow.use === 'link' ? 'link' : 'code',
    notifyUnknownRecipients: flow.notify_unknown_recipients === true,
  };
}

function durationOr(value: unknown, fallbackMs: number): number {
  return parseDuration(nonEmptyString(value) ?? '') ?? fallbackMs;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** `ui.enabled` (the built-in UI, a Portcullis key), true unless switched off. */
function builtInUiEnabled(document: KratosConfigDocument): boolean {
  return objectOrEmpty((document as ConfigDoc).ui).enabled !== false;
}

/**
 * Settings hooks that Kratos's schema accepts and Portcullis does not implement yet, and what
 * running without them would mean. Ignoring them silently would leave an operator believing a
 * protection is in place that is not, so a config naming one does not start.
 */
const UNSUPPORTED_SETTINGS_HOOKS: Readonly<Record<string, string>> = {
  verify_new_address:
    'is not supported yet: Portcullis would save an email or phone change at once instead of ' +
    'waiting until the new address is verified. Remove the hook to accept that (see docs/hooks.md).',
  notify_previous_addresses:
    'is not supported yet: Portcullis would not tell the previous addresses about an email or ' +
    'phone change. Remove the hook to accept that (see docs/hooks.md).',
};

/**
 * The `verify_new_address` and `notify_previous_addresses` hooks named anywhere under
 * `selfservice.flows.settings.after` (Kratos's schema allows them in `after.profile.hooks`), one
 * issue each, at the hook's `hook` key.
 */
export function unsupportedSettingsHookIssues(document: KratosConfigDocument): ConfigIssue[] {
  const selfservice = objectOrEmpty((document as ConfigDoc).selfservice);
  const after = objectOrEmpty(objectOrEmpty(objectOrEmpty(selfservice.flows).settings).after);
  const lists: [string, unknown][] = [['selfservice.flows.settings.after.hooks', after.hooks]];
  for (const [key, value] of Object.entries(after)) {
    if (key !== 'hooks')
      lists.push([`selfservice.flows.settings.after.${key}.hooks`, objectOrEmpty(value).hooks]);
  }
  const issues: ConfigIssue[] = [];
  for (const [path, list] of lists) {
    if (!Array.isArray(list)) continue;
    for (const [index, entry] of list.entries()) {
      const name = objectOrEmpty(entry).hook;
      const why = typeof name === 'string' ? UNSUPPORTED_SETTINGS_HOOKS[name] : undefined;
      if (why !== undefined)
        issues.push({ path: `${path}.${index}.hook`, message: `"${String(name)}" ${why}` });
    }
  }
  return issues;
}

/**
 * Warnings for `response.parse` (or `can_interrupt`) web hooks in the flow-wide
 * `registration.after.hooks` or `settings.after.hooks`: Kratos never runs them there (its
 * pre-persist hooks read `after.<method>.hooks` only, and its post-persist web hook skips parse
 * hooks), and neither does Portcullis. A config written expecting them to run deserves a word.
 */
export function unreachableParseHookWarnings(document: KratosConfigDocument): string[] {
  const flows = objectOrEmpty(objectOrEmpty((document as ConfigDoc).selfservice).flows);
  const warnings: string[] = [];
  for (const flow of ['registration', 'settings']) {
    const hooks = objectOrEmpty(objectOrEmpty(flows[flow]).after).hooks;
    if (!Array.isArray(hooks)) continue;
    for (const [index, entry] of hooks.entries()) {
      const hook = objectOrEmpty(entry);
      const config = objectOrEmpty(hook.config);
      const parses = objectOrEmpty(config.response).parse === true || config.can_interrupt === true;
      if (hook.hook !== 'web_hook' || !parses) continue;
      warnings.push(
        `selfservice.flows.${flow}.after.hooks.${index}: a web_hook with response.parse (or can_interrupt) ` +
          `never runs from the flow-wide after.hooks, as in Kratos: list it under after.<method>.hooks ` +
          `(after.password.hooks, after.oidc.hooks, ...) to run it before the change is saved`,
      );
    }
  }
  return warnings;
}

/**
 * Reads `selfservice`; `publicBase` is `serve.public.base_url`, where the built-in UI lives.
 * (loadConfig has refused the hooks of {@link unsupportedSettingsHookIssues} already.)
 */
export function selfServiceConfig(document: KratosConfigDocument, publicBase: URL): SelfServiceConfig {
  const selfservice = objectOrEmpty((document as ConfigDoc).selfservice);
  const flows = objectOrEmpty(selfservice.flows);
  const defaultReturnUrl =
    nonEmptyString(selfservice.default_browser_return_url) ?? new URL('ui/welcome', publicBase).toString();
  const registration = objectOrEmpty(flows.registration);
  const methods = objectOrEmpty(selfservice.methods);
  const password = objectOrEmpty(methods.password);
  const logoutAfter = objectOrEmpty(objectOrEmpty(flows.logout).after);
  return {
    defaultReturnUrl,
    allowedReturnUrls: Array.isArray(selfservice.allowed_return_urls)
      ? selfservice.allowed_return_urls.filter((u): u is string => typeof u === 'string')
      : [],
    login: {
      ...flowConfig(objectOrEmpty(flows.login), publicBase, 'login', defaultReturnUrl),
      style: objectOrEmpty(flows.login).style === 'identifier_first' ? 'identifier_first' : 'unified',
    },
    registration: {
      ...flowConfig(registration, publicBase, 'registration', defaultReturnUrl),
      enabled: registration.enabled !== false,
      // Kratos's default is profile_first; legacy one-step means unified.
      style:
        registration.enable_legacy_one_step === true
          ? 'unified'
          : registration.style === 'unified'
            ? 'unified'
            : 'profile_first',
      loginHints: registration.login_hints === true,
      passwordProfileGroup:
        objectOrEmpty((document as ConfigDoc).feature_flags).password_profile_registration_node_group ===
        'password'
          ? 'password'
          : 'default',
    },
    logout: { returnUrl: nonEmptyString(logoutAfter.default_browser_return_url) ?? defaultReturnUrl },
    mitigateAccountEnumeration:
      objectOrEmpty(objectOrEmpty((document as ConfigDoc).security).account_enumeration).mitigate === true,
    error: {
      uiUrl:
        nonEmptyString(objectOrEmpty(flows.error).ui_url) ??
        (builtInUiEnabled(document) ? new URL('ui/error', publicBase).toString() : undefined),
    },
    verification: {
      ...flowConfig(objectOrEmpty(flows.verification), publicBase, 'verification', defaultReturnUrl),
      ...addressFlow(objectOrEmpty(flows.verification)),
    },
    recovery: {
      ...flowConfig(objectOrEmpty(flows.recovery), publicBase, 'recovery', defaultReturnUrl),
      ...addressFlow(objectOrEmpty(flows.recovery)),
      afterReturnUrl: nonEmptyString(
        objectOrEmpty(objectOrEmpty(flows.recovery).after).default_browser_return_url,
      ),
    },
    settings: {
      ...flowConfig(objectOrEmpty(flows.settings), publicBase, 'settings', defaultReturnUrl),
      privilegedSessionMaxAgeMs: durationOr(
        objectOrEmpty(flows.settings).privileged_session_max_age,
        3_600_000,
      ),
    },
    password: { enabled: password.enabled !== false, config: objectOrEmpty(password.config) },
    profile: { enabled: objectOrEmpty(methods.profile).enabled !== false },
    code: {
      enabled: objectOrEmpty(methods.code).enabled !== false,
      lifespanMs: durationOr(objectOrEmpty(objectOrEmpty(methods.code).config).lifespan, 3_600_000),
      maxSubmissions: numberOr(objectOrEmpty(objectOrEmpty(methods.code).config).max_submissions, 5),
    },
    link: {
      enabled: objectOrEmpty(methods.link).enabled === true,
      lifespanMs: durationOr(objectOrEmpty(objectOrEmpty(methods.link).config).lifespan, 3_600_000),
    },
    featureFlags: verificationFeatureFlags(document),
  };
}

/** Kratos's UseLegacyShowVerificationUI and UseLegacyRequireVerifiedLoginError: true only when set so. */
function verificationFeatureFlags(document: KratosConfigDocument): VerificationFeatureFlags {
  const flags = objectOrEmpty((document as ConfigDoc).feature_flags);
  return {
    legacyContinueWithVerificationUi: flags.legacy_continue_with_verification_ui === true,
    legacyRequireVerifiedLoginError: flags.legacy_require_verified_login_error === true,
  };
}

/**
 * A warning for a verification or recovery flow whose `use` names a method that
 * `selfservice.methods.<use>.enabled` leaves off (link is off unless enabled, as in Kratos): such a
 * flow cannot start (Kratos answers 400), which is otherwise only found by the first person to try.
 */
export function disabledFlowMethodWarnings(document: KratosConfigDocument): string[] {
  const selfservice = objectOrEmpty((document as ConfigDoc).selfservice);
  const methods = objectOrEmpty(selfservice.methods);
  const flows = objectOrEmpty(selfservice.flows);
  const enabled = {
    code: objectOrEmpty(methods.code).enabled !== false,
    link: objectOrEmpty(methods.link).enabled === true,
  };
  const warnings: string[] = [];
  for (const kind of ['verification', 'recovery'] as const) {
    const flow = objectOrEmpty(flows[kind]);
    const use = flow.use === 'link' ? 'link' : 'code';
    if (flow.enabled === true && !enabled[use])
      warnings.push(
        `selfservice.flows.${kind}.use is "${use}" but selfservice.methods.${use}.enabled is not true: ${kind} flows cannot start`,
      );
  }
  return warnings;
}
