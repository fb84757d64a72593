/**
 * One schema path as a form field, the way Kratos's `node.NewInputFieldFromSchema` builds it.
 */

import {
  inputNode,
  Msg,
  type UiInputNode,
  type UiNodeGroup,
  type UiNodeInputAttributesOption,
  type UiNodeInputAutocomplete,
  type UiNodeInputType,
  uiText,
} from '../flow/index.js';
import type { SchemaPath } from './schema-paths.js';

/**
 * The input node for `path`: `type` from the JSON type, refined by `format`; `required`,
 * `pattern` and `options` (for an `enum`) from the schema; the `title` as the label UIs show.
 * Kratos sets no `maxlength`, no `value` from `default` and no `autocomplete` other than the
 * ones a format implies, so neither does this.
 */
export function traitInputNode(path: SchemaPath, group: UiNodeGroup): UiInputNode {
  const format = path.format === undefined ? undefined : FORMATS.get(path.format);
  return inputNode(group, path.name, format?.type ?? BASE_TYPES[path.kind], {
    required: path.required,
    autocomplete: format?.autocomplete,
    pattern: path.pattern,
    options: enumOptions(path.enum),
    metaLabel:
      path.title === ''
        ? undefined
        : uiText(Msg.InfoNodeLabelGenerated, { title: path.title, name: path.name }),
  });
}

/** Kratos's `toFormType` for the value prototype jsonschemax gives each kind. */
const BASE_TYPES: Readonly<Record<SchemaPath['kind'], UiNodeInputType>> = {
  text: 'text',
  number: 'number',
  boolean: 'checkbox',
  // Never rendered: Kratos skips JSON paths before building nodes.
  json: 'text',
};

/** The formats Kratos maps to a more specific input (a Map, so `format: "constructor"` finds nothing). */
const FORMATS: ReadonlyMap<string, { type: UiNodeInputType; autocomplete?: UiNodeInputAutocomplete }> =
  new Map([
    ['date-time', { type: 'datetime-local' }],
    ['email', { type: 'email', autocomplete: 'email' }],
    ['tel', { type: 'tel', autocomplete: 'tel' }],
    ['date', { type: 'date' }],
    ['uri', { type: 'url', autocomplete: 'url' }],
    ['regex', { type: 'text' }],
  ]);

/**
 * The `options` of an input whose schema has an `enum`: each scalar entry verbatim, in schema
 * order (the Kratos API's `uiNodeInputAttributesOption`). `null` and structured entries cannot be
 * an option and are left out.
 */
function enumOptions(values: SchemaPath['enum']): UiNodeInputAttributesOption[] | undefined {
  if (values === undefined) return undefined;
  const options: UiNodeInputAttributesOption[] = [];
  for (const value of values) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      options.push({ value });
    }
  }
  return options;
}
