import type { TraitsValidationError } from '../../identity/schema/index.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';

/** UI messages by node name, as a registration form shows them beside its fields. */
export type FieldMessages = Record<string, UiText[]>;

/** `#/traits/a/b` -> `traits.a.b`, the name of the node that shows the message. */
export function nodeName(pointer: string): string {
  return pointer.replace(/^#\//, '').split('/').join('.');
}

/** Schema validation errors of traits as Kratos shows them: 4000002 for required, else 4000001. */
export function traitFieldMessages(errors: readonly TraitsValidationError[]): FieldMessages {
  const fields: FieldMessages = {};
  for (const error of errors) {
    const name = nodeName(error.pointer);
    const message =
      error.keyword === 'required'
        ? uiText(Msg.ErrorValidationRequired, { property: String(error.context.property ?? '') })
        : uiText(Msg.ErrorValidationGeneric, { reason: error.message });
    fields[name] = [...(fields[name] ?? []), message];
  }
  return fields;
}
