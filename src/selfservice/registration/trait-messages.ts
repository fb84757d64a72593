import type { TraitsValidationError } from '../../identity/schema/index.js';
import { Msg, type UiText, uiText } from '../flow/messages.js';

/** UI messages by node name, as a form shows them beside its fields. */
export type FieldMessages = Record<string, UiText[]>;

/** `#/traits/a/b` -> `traits.a.b`, the name of the node that shows the message. */
export function nodeName(pointer: string): string {
  return pointer.replace(/^#\//, '').split('/').join('.');
}

/** Schema validation errors of traits as Kratos shows them beside their fields. */
export function traitFieldMessages(errors: readonly TraitsValidationError[]): FieldMessages {
  const fields: FieldMessages = {};
  for (const error of errors) {
    const name = nodeName(error.pointer);
    fields[name] = [...(fields[name] ?? []), traitMessage(error)];
  }
  return fields;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? -1));

/**
 * One error as Kratos's ui/container translateValidationError words it: by the failing keyword,
 * its own message id and context (4000003 minLength, 4000026 type, 4000040 email, ...), and
 * 4000001 with the validator's text for the rest (enum, other formats, additionalProperties).
 */
export function traitMessage(error: TraitsValidationError): UiText {
  const c = error.context;
  switch (error.keyword) {
    case 'required':
      return uiText(Msg.ErrorValidationRequired, { property: String(c.property ?? '') });
    case 'minLength':
      return uiText(Msg.ErrorValidationMinLength, {
        min_length: num(c.min_length),
        actual_length: num(c.actual_length),
      });
    case 'maxLength':
      return uiText(Msg.ErrorValidationMaxLength, {
        max_length: num(c.max_length),
        actual_length: num(c.actual_length),
      });
    case 'pattern':
      return uiText(Msg.ErrorValidationInvalidFormat, { pattern: String(c.pattern ?? '') });
    case 'minimum':
      return uiText(Msg.ErrorValidationMinimum, { minimum: num(c.minimum), actual: num(c.actual) });
    case 'exclusiveMinimum':
      return uiText(Msg.ErrorValidationExclusiveMinimum, { minimum: num(c.minimum), actual: num(c.actual) });
    case 'maximum':
      return uiText(Msg.ErrorValidationMaximum, { maximum: num(c.maximum), actual: num(c.actual) });
    case 'exclusiveMaximum':
      return uiText(Msg.ErrorValidationExclusiveMaximum, { maximum: num(c.maximum), actual: num(c.actual) });
    case 'multipleOf':
      return uiText(Msg.ErrorValidationMultipleOf, { base: num(c.base), actual: num(c.actual) });
    case 'maxItems':
      return uiText(Msg.ErrorValidationMaxItems, {
        max_items: num(c.max_items),
        actual_items: num(c.actual_items),
      });
    case 'minItems':
      return uiText(Msg.ErrorValidationMinItems, {
        min_items: num(c.min_items),
        actual_items: num(c.actual_items),
      });
    case 'uniqueItems':
      return uiText(Msg.ErrorValidationUniqueItems, { index_a: num(c.index_a), index_b: num(c.index_b) });
    case 'type': {
      const allowed = Array.isArray(c.allowed_types) ? c.allowed_types.map(String) : [];
      return uiText(Msg.ErrorValidationWrongType, {
        allowed_types: allowed,
        actual_type: String(c.actual_type ?? ''),
      });
    }
    case 'const':
      // Kratos takes the expected value from the text after "value must be ", quotes included.
      return error.message.startsWith(CONST_PREFIX)
        ? uiText(Msg.ErrorValidationConst, { expected: error.message.slice(CONST_PREFIX.length) })
        : uiText(Msg.ErrorValidationConstGeneric);
    case 'format': {
      const value = String(c.actual_value ?? '');
      if (c.expected_format === 'email') return uiText(Msg.ErrorValidationEmail, { value });
      if (c.expected_format === 'tel') return uiText(Msg.ErrorValidationPhone, { value });
      return uiText(Msg.ErrorValidationGeneric, { reason: error.message });
    }
    default:
      return uiText(Msg.ErrorValidationGeneric, { reason: error.message });
  }
}

const CONST_PREFIX = 'value must be ';
