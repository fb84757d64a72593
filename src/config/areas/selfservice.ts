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
  readonly after: FlowAfter;
}

/** `selfservice.*`, with Kratos's defaults. UI URLs default to the built-in UI. */
export interface SelfServiceConfig {
  readonly defaultReturnUrl: string;
  readonly allowedReturnUrls: readonly string[];
  readonly login: SelfServiceFlowConfig;
  readonly registration: SelfServiceFlowConfig & {
    readonly enabled: boolean;
    readonly style: 'unified' | 'profile_first';
  };
  readonly logout: { readonly returnUrl: string };
  readonly password: { readonly enabled: boolean; readonly config: Readonly<Record<string, unknown>> };
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
    after: flowAfter(obj(flow.after), defaultReturnUrl),
  };
}

/** Reads `selfservice`; `publicBase` is `serve.public.base_url`, where the built-in UI lives. */
export function selfServiceConfig(document: KratosConfigDocument, publicBase: URL): SelfServiceConfig {
  const selfservice = obj((document as Doc).selfservice);
  const flows = obj(selfservice.flows);
  const defaultReturnUrl =
    str(selfservice.default_browser_return_url) ?? new URL('ui/welcome', publicBase).toString();
  const registration = obj(flows.registration);
  const password = obj(obj(selfservice.methods).password);
  const logoutAfter = obj(obj(flows.logout).after);
  return {
    defaultReturnUrl,
    allowedReturnUrls: Array.isArray(selfservice.allowed_return_urls)
      ? selfservice.allowed_return_urls.filter((u): u is string => typeof u === 'string')
      : [],
    login: flowConfig(obj(flows.login), publicBase, 'login', defaultReturnUrl),
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
    password: { enabled: password.enabled !== false, config: obj(password.config) },
  };
}
