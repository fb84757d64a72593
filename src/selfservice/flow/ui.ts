/**
 * The `ui` of a self-service flow: a container (a form) of nodes (inputs, texts, images,
 * links, scripts, divisions), typed after the `uiContainer` / `uiNode*` schemas of the Kratos
 * OpenAPI spec, plus builders for the nodes every flow has.
 *
 * Builders set object keys in the order of Kratos's Go structs and leave out what Go's
 * `omitempty` leaves out, so `JSON.stringify` of a node gives the bytes Kratos sends.
 */

import { CSRF_TOKEN_FIELD } from './csrf.js';
import type { UiText } from './messages/define.js';

/** A node's kind; mirrored in `attributes.node_type`. */
export type UiNodeType = 'text' | 'input' | 'img' | 'a' | 'script' | 'div';

/** Which method (strategy) a node belongs to. */
export type UiNodeGroup =
  | 'default'
  | 'password'
  | 'oidc'
  | 'profile'
  | 'link'
  | 'code'
  | 'totp'
  | 'lookup_secret'
  | 'webauthn'
  | 'passkey'
  | 'identifier_first'
  | 'captcha'
  | 'saml'
  | 'deviceauthn';

/** The HTML `type` of an input node. */
export type UiNodeInputType =
  | 'text'
  | 'password'
  | 'number'
  | 'checkbox'
  | 'hidden'
  | 'email'
  | 'tel'
  | 'submit'
  | 'button'
  | 'datetime-local'
  | 'date'
  | 'url';

/** The HTML `autocomplete` of an input node. */
export type UiNodeInputAutocomplete =
  | 'email'
  | 'tel'
  | 'url'
  | 'current-password'
  | 'new-password'
  | 'one-time-code'
  | 'username'
  | 'username webauthn';

/** A JavaScript function of Ory's WebAuthn script that a node triggers. */
export type WebAuthnTrigger =
  | 'oryWebAuthnRegistration'
  | 'oryWebAuthnLogin'
  | 'oryPasskeyLogin'
  | 'oryPasskeyLoginAutocompleteInit'
  | 'oryPasskeyRegistration'
  | 'oryPasskeySettingsRegistration';

/** One allowed value of an input whose schema has an `enum`. */
export interface UiNodeInputAttributesOption {
  value: string | number | boolean;
}

/** `uiNodeInputAttributes`. */
export interface UiNodeInputAttributes {
  name: string;
  type: UiNodeInputType;
  value?: unknown;
  required?: boolean;
  autocomplete?: UiNodeInputAutocomplete;
  label?: UiText;
  pattern?: string;
  disabled: boolean;
  /** @deprecated Kratos keeps it for old UIs; use `onclickTrigger`. */
  onclick?: string;
  onclickTrigger?: WebAuthnTrigger;
  /** @deprecated Kratos keeps it for old UIs; use `onloadTrigger`. */
  onload?: string;
  onloadTrigger?: WebAuthnTrigger;
  maxlength?: number;
  options?: UiNodeInputAttributesOption[];
  node_type: 'input';
}

/** `uiNodeTextAttributes`. */
export interface UiNodeTextAttributes {
  text: UiText;
  id: string;
  node_type: 'text';
}

/** `uiNodeImageAttributes`. */
export interface UiNodeImageAttributes {
  src: string;
  id: string;
  width: number;
  height: number;
  node_type: 'img';
}

/** `uiNodeAnchorAttributes`. */
export interface UiNodeAnchorAttributes {
  href: string;
  title: UiText;
  id: string;
  node_type: 'a';
}

/** `uiNodeScriptAttributes`. */
export interface UiNodeScriptAttributes {
  src: string;
  async: boolean;
  referrerpolicy: string;
  crossorigin: string;
  integrity: string;
  type: string;
  id: string;
  nonce: string;
  node_type: 'script';
}

/** `uiNodeDivisionAttributes`. */
export interface UiNodeDivisionAttributes {
  class?: string;
  id: string;
  data?: Record<string, string>;
  node_type: 'div';
}

/** `uiNodeAttributes`: one of the above, told apart by `node_type`. */
export type UiNodeAttributes =
  | UiNodeInputAttributes
  | UiNodeTextAttributes
  | UiNodeImageAttributes
  | UiNodeAnchorAttributes
  | UiNodeScriptAttributes
  | UiNodeDivisionAttributes;

/** `uiNodeMeta`. */
export interface UiNodeMeta {
  label?: UiText;
}

/** A node whose attributes are `A`; its `type` always equals `attributes.node_type`. */
export interface UiNodeOf<A extends UiNodeAttributes> {
  type: A['node_type'];
  group: UiNodeGroup;
  attributes: A;
  messages: UiText[];
  meta: UiNodeMeta;
}

/** `uiNode`. */
export type UiNode =
  | UiNodeOf<UiNodeInputAttributes>
  | UiNodeOf<UiNodeTextAttributes>
  | UiNodeOf<UiNodeImageAttributes>
  | UiNodeOf<UiNodeAnchorAttributes>
  | UiNodeOf<UiNodeScriptAttributes>
  | UiNodeOf<UiNodeDivisionAttributes>;

/** An input node. */
export type UiInputNode = UiNodeOf<UiNodeInputAttributes>;

/** `uiContainer`: the form a UI renders for a flow. */
export interface UiContainer {
  /** The form's action URL. */
  action: string;
  /** The form's method: `POST`, but `GET` on a passed verification flow (its Continue form). */
  method: string;
  nodes: UiNode[];
  /** Messages about the whole form; left out when there are none. */
  messages?: UiText[];
}

/** Optional parts of an input node; see `UiNodeInputAttributes`. */
export interface InputNodeOptions {
  /** `null` and `undefined` leave the value out, as Go does with a nil value. */
  value?: unknown;
  required?: boolean;
  autocomplete?: UiNodeInputAutocomplete;
  /** The attribute label; UIs use `metaLabel`, Kratos rarely sets this one. */
  label?: UiText;
  pattern?: string;
  disabled?: boolean;
  onclick?: string;
  onclickTrigger?: WebAuthnTrigger;
  onload?: string;
  onloadTrigger?: WebAuthnTrigger;
  maxlength?: number;
  options?: UiNodeInputAttributesOption[];
  /** The label UIs show (`meta.label`). */
  metaLabel?: UiText;
  /** Messages on this node, for example validation errors. */
  messages?: UiText[];
}

/** An empty form posting to `action`. */
export function uiContainer(action: string, nodes: UiNode[] = [], messages?: UiText[]): UiContainer {
  const container: UiContainer = { action, method: 'POST', nodes };
  if (messages !== undefined && messages.length > 0) container.messages = messages;
  return container;
}

/** An input node, serialised as Kratos's `node.NewInputField` is. */
export function inputNode(
  group: UiNodeGroup,
  name: string,
  type: UiNodeInputType,
  options: InputNodeOptions = {},
): UiInputNode {
  // Keys are added in the order of Kratos's InputAttributes struct (JSON keeps insertion
  // order), and falsy values are left out as Go's `omitempty` leaves them out.
  const ordered: Partial<UiNodeInputAttributes> = { name, type };
  if (options.value !== undefined && options.value !== null) ordered.value = options.value;
  if (options.required) ordered.required = true;
  if (options.autocomplete) ordered.autocomplete = options.autocomplete;
  if (options.label) ordered.label = options.label;
  if (options.pattern) ordered.pattern = options.pattern;
  ordered.disabled = options.disabled ?? false;
  if (options.onclick) ordered.onclick = options.onclick;
  if (options.onclickTrigger) ordered.onclickTrigger = options.onclickTrigger;
  if (options.onload) ordered.onload = options.onload;
  if (options.onloadTrigger) ordered.onloadTrigger = options.onloadTrigger;
  if (options.maxlength) ordered.maxlength = options.maxlength;
  if (options.options !== undefined && options.options.length > 0) ordered.options = options.options;
  ordered.node_type = 'input';
  return {
    type: 'input',
    group,
    // Complete: `disabled` and `node_type` were set above.
    attributes: ordered as UiNodeInputAttributes,
    messages: options.messages ?? [],
    meta: options.metaLabel === undefined ? {} : { label: options.metaLabel },
  };
}

/** The hidden, required `csrf_token` input of browser flows, carrying a masked token. */
export function csrfNode(maskedToken: string): UiInputNode {
  return inputNode('default', CSRF_TOKEN_FIELD, 'hidden', { value: maskedToken, required: true });
}

/** A submit button, such as `method=password` labelled "Sign in with password". */
export function submitNode(group: UiNodeGroup, name: string, value: string, label: UiText): UiInputNode {
  return inputNode(group, name, 'submit', { value, metaLabel: label });
}
