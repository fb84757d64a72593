/**
 * The UI message catalogue: every message Portcullis puts into a flow's `ui.messages`, a
 * node's `messages` or a node's `meta.label`, with Kratos's numeric id, type, English text
 * and context. `uiText(id, context)` renders one in the `uiText` shape of the Kratos API.
 *
 * The per-area tables live in `./messages/`; this module joins them and types the lookup so
 * that a message which needs context cannot be rendered without it.
 */

import type { MessageDefinition, UiText, UiTextType } from './messages/define.js';
import { flowErrorMessages } from './messages/flow-errors.js';
import { Msg, type MsgName } from './messages/ids.js';
import { labelMessages } from './messages/labels.js';
import { loginMessages } from './messages/login.js';
import { recoveryMessages, verificationMessages } from './messages/recovery.js';
import { registrationMessages } from './messages/registration.js';
import { settingsMessages } from './messages/settings.js';
import { validationMessages } from './messages/validation.js';

export type { UiText, UiTextType } from './messages/define.js';
export type { FlowExpiredContext } from './messages/flow-errors.js';
export { Msg, type MsgName } from './messages/ids.js';
export type { GeneratedLabelContext } from './messages/labels.js';
export type { LoginLinkContext } from './messages/login.js';
export type { RecoverySuccessfulContext } from './messages/recovery.js';
export type { RemoveKeyContext } from './messages/settings.js';
export type { DuplicateCredentialsHintsContext } from './messages/validation.js';

const catalogue = {
  ...loginMessages,
  ...registrationMessages,
  ...settingsMessages,
  ...recoveryMessages,
  ...labelMessages,
  ...verificationMessages,
  ...validationMessages,
  ...flowErrorMessages,
};

type Catalogue = typeof catalogue;

/** An id the catalogue can render. */
export type MessageId = keyof Catalogue;

/** The context `uiText` needs for message `K` (`undefined` when it takes none). */
export type MessageContext<K extends MessageId> = Catalogue[K] extends MessageDefinition<infer C> ? C : never;

/** The arguments after the id: none, or the message's context. */
export type UiTextArgs<K extends MessageId> =
  MessageContext<K> extends undefined ? [] : [context: MessageContext<K>];

/** What the catalogue knows about one message, for documentation and translation tables. */
export interface MessageInfo {
  readonly id: MessageId;
  readonly name: MsgName;
  readonly type: UiTextType;
  /** English text with `{key}` placeholders. */
  readonly template: string;
  readonly contextKeys: readonly string[];
}

// The typed object above is for callers; lookups go through one untyped map. A definition
// that takes `unknown` can stand in for each specific one, so the cast is sound.
const definitions = new Map<number, MessageDefinition<unknown>>(
  Object.entries(catalogue).map(([id, definition]) => [Number(id), definition as MessageDefinition<unknown>]),
);

const names = new Map<number, MsgName>(Object.entries(Msg).map(([name, id]) => [id, name as MsgName]));

/**
 * Renders message `id` as Kratos would send it: `{id, text, type, context?}`, the text formatted
 * from the context as Kratos's Go code formats it and the context keys sorted as Go's JSON
 * encoder writes them.
 *
 * @example uiText(Msg.ErrorValidationRequired, { property: 'email' })
 *   // {id: 4000002, text: 'Property email is missing.', type: 'error', context: {property: 'email'}}
 */
export function uiText<K extends MessageId>(id: K, ...args: UiTextArgs<K>): UiText {
  const definition = definitions.get(id);
  if (definition === undefined) throw new RangeError(`unknown UI message id ${id}`);
  const { text, context } = definition.render(args[0]);
  const rendered: UiText = { id, text, type: definition.type };
  if (context !== undefined) rendered.context = sortKeys(context);
  return rendered;
}

/** Whether the catalogue has message `id` (for ids that arrive as plain numbers). */
export function isMessageId(id: number): id is MessageId {
  return definitions.has(id);
}

/** Every message of the catalogue, in id order. */
export function listMessages(): MessageInfo[] {
  return [...definitions.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, definition]) => ({
      id: id as MessageId,
      name: names.get(id) ?? ('' as MsgName),
      type: definition.type,
      template: definition.template,
      contextKeys: definition.contextKeys,
    }));
}

function sortKeys(context: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(context).sort()) sorted[key] = context[key];
  return sorted;
}
