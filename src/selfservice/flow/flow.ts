import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../../identity/model.js';
import type { UiText } from './messages.js';
import type { UiContainer } from './ui.js';

export type FlowKind = 'login' | 'registration' | 'settings' | 'recovery' | 'verification';

/** `api` flows serve native apps (no cookies, no CSRF); `browser` flows serve browsers and SPAs. */
export type FlowType = 'api' | 'browser';

/**
 * A self-service flow as stored: what the client was shown (`ui`), where it goes afterwards,
 * and until when it may be submitted. One table serves every kind.
 */
export interface SelfServiceFlow {
  id: string;
  kind: FlowKind;
  type: FlowType;
  state: string;
  request_url: string;
  return_to: string | null;
  /** The method last submitted (`password`, ...). */
  active: string | null;
  ui: UiContainer;
  /** Login: re-authenticate although a session exists. */
  refresh: boolean;
  requested_aal: string;
  /** Kind-specific state that never leaves the server. */
  internal: Record<string, JsonValue>;
  issued_at: Date;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

export function isFlowExpired(flow: SelfServiceFlow, now: Date): boolean {
  return flow.expires_at.getTime() <= now.getTime();
}

export interface NewFlowInput {
  /** The id, when it must be known before the flow exists (a token exchange's init code names it). */
  id?: string;
  kind: FlowKind;
  type: FlowType;
  requestUrl: string;
  returnTo: string | null;
  refresh?: boolean;
  /** Browser flows remember a hash of the browser's CSRF secret. */
  csrfBinding?: string;
  /** Kind-specific server-side state to start with (e.g. the identity schema asked for). */
  internal?: Record<string, JsonValue>;
  lifespanMs: number;
  /** Builds the form once the flow id (part of the form's action) is known. */
  ui(id: string): UiContainer;
  /** Messages shown after the form's own (see FlowNotice). */
  notice?: UiText[];
  now: Date;
}

/** Carried by every kind's new-flow input: messages the flow starts with after its own. */
export interface FlowNotice {
  /** Why the person is on this flow, e.g. the one it replaces expired (see replaceExpiredFlow). */
  notice?: UiText[];
}

/** A new flow in its first state; every flow kind starts the same way. */
export function newFlow(input: NewFlowInput): SelfServiceFlow {
  const id = input.id ?? randomUUID();
  const ui = input.ui(id);
  return {
    id,
    kind: input.kind,
    type: input.type,
    state: 'choose_method',
    request_url: input.requestUrl,
    return_to: input.returnTo,
    active: null,
    ui:
      input.notice === undefined || input.notice.length === 0
        ? ui
        : { ...ui, messages: [...(ui.messages ?? []), ...input.notice] },
    refresh: input.refresh ?? false,
    requested_aal: 'aal1',
    internal: {
      ...input.internal,
      ...(input.csrfBinding === undefined ? {} : { csrf_binding: input.csrfBinding }),
    },
    issued_at: input.now,
    expires_at: new Date(input.now.getTime() + input.lifespanMs),
    created_at: input.now,
    updated_at: input.now,
  };
}
