import { parseDuration } from '../../kernel/duration.js';
import type { KratosConfigDocument } from '../types.js';

/** One configured hook: `{hook: 'session'}`, `{hook: 'web_hook', config: {...}}`. */
export interface HookConfig {
  readonly hook: string;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface FlowAfter {
  /** Hooks for the method if it has its own list, else the flow's `after.hooks`. */
  hooks(method: string): readonly HookConfig[];
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
  readonly recovery: SelfServiceFlowConfig & AddressFlowConfig;
  readonly settings: SelfServiceFlowConfig & {
    /** How long after signing in a session may change passwords and addresses. */
    readonly privilegedSessionMaxAgeMs: number;
  };
  readonly password: { readonly enabled: boolean; readonly config: Readonly<Record<string, unknown>> };
  readonly profile: { readonly enabled: boolean };
  /** `selfservice.methods.code`: one-time codes for verification and recovery. */
  readonly code: { readonly lifespanMs: number; readonly maxSubmissions: number };
  /** `selfservice.methods.link`: one-time links for verification and recovery. */
  readonly link: { readonly lifespanMs: number };
}

/** Verification and recovery: both send a code or a link to an address. */
export interface AddressFlowConfig {
  readonly enabled: boolean;
  readonly use: 'code' | 'link';
  /** Whether an address with no account behind it still gets an email saying so. */
  readonly notifyUnknownRecipients: boolean;
}

type Doc = Record<string, unknown>;

function obj(value: unknown): Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function hookList(value: unknown): HookConfig[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((h) => ({ hook: String(obj(h).hook), config: obj(obj(h).config) }));
}

function flowAfter(after: Doc, fallbackReturnUrl: string): FlowAfter {
  return {
    hooks(method) {
      return hookList(obj(after[method]).hooks) ?? hookList(after.hooks) ?? [];
    },
    returnUrl(method) {
      return (
        str(obj(after[method]).default_browser_return_url) ??
        str(after.default_browser_return_url) ??
        fallbackReturnUrl
      );
    },
  };
}

function flowConfig(
  flow: Doc,
  publicBase: URL,
  page: string,
  defaultReturnUrl: string,
): SelfServiceFlowConfig {
  return {
    uiUrl: str(flow.ui_url) ?? new URL(`ui/${page}`, publicBase).toString(),
    lifespanMs: parseDuration(str(flow.lifespan) ?? '1h') ?? 3_600_000,
    before: hookList(obj(flow.before).hooks) ?? [],
    after: flowAfter(obj(flow.after), defaultReturnUrl),
  };
}

function addressFlow(flow: Doc): AddressFlowConfig {
  return {
    enabled: flow.enabled === true,
    use: flow.use === 'link' ? 'link' : 'code',
    notifyUnknownRecipients: flow.notify_unknown_recipients === true,
  };
}

function durationOr(value: unknown, fallbackMs: number): number {
  return parseDuration(str(value) ?? '') ?? fallbackMs;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** `ui.enabled` (the built-in UI, a Portcullis key), true unless switched off. */
function builtInUiEnabled(document: KratosConfigDocument): boolean {
  return obj((document as Doc).ui).enabled !== false;
}

/** Reads `selfservice`; `publicBase` is `serve.public.base_url`, where the built-in UI lives. */
export function selfServiceConfig(document: KratosConfigDocument, publicBase: URL): SelfServiceConfig {
  const selfservice = obj((document as Doc).selfservice);
  const flows = obj(selfservice.flows);
  const defaultReturnUrl =
    str(selfservice.default_browser_return_url) ?? new URL('ui/welcome', publicBase).toString();
  const registration = obj(flows.registration);
  const methods = obj(selfservice.methods);
  const password = obj(methods.password);
  const logoutAfter = obj(obj(flows.logout).after);
  return {
    defaultReturnUrl,
    allowedReturnUrls: Array.isArray(selfservice.allowed_return_urls)
      ? selfservice.allowed_return_urls.filter((u): u is string => typeof u === 'string')
      : [],
    login: {
      ...flowConfig(obj(flows.login), publicBase, 'login', defaultReturnUrl),
      style: obj(flows.login).style === 'identifier_first' ? 'identifier_first' : 'unified',
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
    },
    logout: { returnUrl: str(logoutAfter.default_browser_return_url) ?? defaultReturnUrl },
    mitigateAccountEnumeration: obj(obj((document as Doc).security).account_enumeration).mitigate === true,
    error: {
      uiUrl:
        str(obj(flows.error).ui_url) ??
        (builtInUiEnabled(document) ? new URL('ui/error', publicBase).toString() : undefined),
    },
    verification: {
      ...flowConfig(obj(flows.verification), publicBase, 'verification', defaultReturnUrl),
      ...addressFlow(obj(flows.verification)),
    },
    recovery: {
      ...flowConfig(obj(flows.recovery), publicBase, 'recovery', defaultReturnUrl),
      ...addressFlow(obj(flows.recovery)),
    },
    settings: {
      ...flowConfig(obj(flows.settings), publicBase, 'settings', defaultReturnUrl),
      privilegedSessionMaxAgeMs: durationOr(obj(flows.settings).privileged_session_max_age, 3_600_000),
    },
    password: { enabled: password.enabled !== false, config: obj(password.config) },
    profile: { enabled: obj(methods.profile).enabled !== false },
    code: {
      lifespanMs: durationOr(obj(obj(methods.code).config).lifespan, 3_600_000),
      maxSubmissions: numberOr(obj(obj(methods.code).config).max_submissions, 5),
    },
    link: { lifespanMs: durationOr(obj(obj(methods.link).config).lifespan, 3_600_000) },
  };
}
