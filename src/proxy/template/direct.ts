/**
 * The shapes nearly every Oathkeeper header template has — text around `{{ .A.B }}` or
 * `{{ print .A.B }}` — rendered without the general executor: a direct read of plain-object
 * fields, formatted by the executor's own functions (formatValue, `print`).
 *
 * A direct render only takes the paths whose result it knows to be the executor's: plain
 * objects and missing keys (nil, as Oathkeeper's `missingkey=zero` makes them). Anything else
 * on the way (a TemplateObject, which may have methods; nil, a number or a list, which are
 * errors) and any fault (output limit, deep formatting) answer DEFER, and the caller runs the
 * executor, which gives the exact answer or error. So the output is always the executor's.
 */

import type { Node } from './ast.js';
import { formatValue } from './format.js';
import { FUNCTIONS } from './functions.js';
import { isPlainObject } from './values.js';

/** "Run the general executor instead." */
export const DEFER: unique symbol = Symbol('defer');

export type DirectRender = (data: unknown, maxOutput: number) => string | typeof DEFER;

type Piece = string | ((data: unknown) => string | typeof DEFER);

/**
 * A direct renderer for `nodes`, or undefined when the template has any other shape (then the
 * executor always runs).
 */
export function compileDirect(nodes: readonly Node[]): DirectRender | undefined {
  const pieces: Piece[] = [];
  for (const node of nodes) {
    if (node.type === 'text') {
      pieces.push(node.text);
      continue;
    }
    if (node.type !== 'action') return undefined;
    const { pipe } = node;
    if (pipe.vars.length > 0 || pipe.assign || pipe.commands.length !== 1) return undefined;
    const args = pipe.commands[0]?.args ?? [];
    const [head, operand] = args;
    if (args.length === 1 && head?.type === 'field') {
      pieces.push(bareField(head.chain));
    } else if (args.length === 2 && head?.type === 'function' && operand?.type === 'field') {
      if (head.name !== 'print') return undefined;
      const print = FUNCTIONS.get('print');
      if (print === undefined) return undefined;
      pieces.push(printedField(operand.chain, print.call));
    } else {
      return undefined;
    }
  }
  return (data, maxOutput) => {
    let out = '';
    for (const piece of pieces) {
      if (typeof piece === 'string') out += piece;
      else {
        const text = piece(data);
        if (text === DEFER) return DEFER;
        out += text;
      }
    }
    // Over the limit: the executor says so in its own words.
    return out.length > maxOutput ? DEFER : out;
  };
}

/** `{{ .A.B }}`: the value, or `<no value>` for nil (the executor's action output). */
function bareField(chain: readonly string[]): (data: unknown) => string | typeof DEFER {
  return (data) => {
    const value = readField(data, chain);
    if (value === DEFER) return DEFER;
    return value === null ? '<no value>' : formatValue(value);
  };
}

/** `{{ print .A.B }}`: Oathkeeper's `print` of the value (`""` for nil). */
function printedField(
  chain: readonly string[],
  print: (args: unknown[]) => unknown,
): (data: unknown) => string | typeof DEFER {
  return (data) => {
    const value = readField(data, chain);
    if (value === DEFER) return DEFER;
    const printed = print([value]);
    return typeof printed === 'string' ? printed : DEFER;
  };
}

/**
 * The executor's field walk for the plain cases: a plain object's own field, or null for a
 * missing key. Anything else (a field of nil, of a list, of a TemplateObject) is DEFER.
 */
function readField(data: unknown, chain: readonly string[]): unknown {
  let value = data;
  for (const name of chain) {
    if (!isPlainObject(value)) return DEFER;
    value = Object.hasOwn(value, name) ? (value[name] ?? null) : null;
  }
  return value;
}
