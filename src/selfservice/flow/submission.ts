import type { JsonObject, JsonValue } from '../../identity/model.js';
import { badRequest } from '../../kernel/errors.js';
import { isRecord } from '../../kernel/json.js';

/** A submitted flow body, from JSON or from an HTML form, as one flat view. */
export interface Submission {
  method: string | undefined;
  csrfToken: string | undefined;
  /** Top-level string fields (`identifier`, `password`, ...). */
  field(name: string): string | undefined;
  /** `traits` from a JSON object, or gathered from `traits.a.b` form fields. */
  traits(): JsonObject;
  /** Whether the body came from an HTML form (values are all strings). */
  fromForm: boolean;
  /**
   * A JSON object field (`upstream_parameters`), or its `name.key` form fields gathered into one;
   * only string values are kept. Empty when absent.
   */
  stringMap(name: string): Record<string, string>;
  /**
   * `transient_payload`: data for hooks that is never stored (an object in JSON, JSON text in a
   * form field); undefined when absent. Refused when it is not an object.
   */
  transientPayload(): JsonObject | undefined;
}

/** Deeper traits than this are refused: no identity schema nests so deep, a stack overflow would. */
const MAX_DEPTH = 32;

/** Sets `value` at a dotted path, refusing prototype keys. */
function setDotted(target: JsonObject, path: string[], value: JsonValue): void {
  if (path.length > MAX_DEPTH) throw badRequest(`Field names may nest at most ${MAX_DEPTH} levels.`);
  let node = target;
  for (const [i, key] of path.entries()) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype' || key === '') {
      throw badRequest(`The field name "${path.join('.')}" is not allowed.`);
    }
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    if (!isRecord(next)) node[key] = {};
    node = node[key] as JsonObject;
  }
}

export function readSubmission(body: unknown, contentType: string | undefined): Submission {
  if (body !== undefined && !isRecord(body))
    throw badRequest('The request body must be a JSON object or a form.');
  const fields = (body ?? {}) as Record<string, unknown>;
  // Both form encodings carry text fields only (see app/multipart-form.ts).
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  const fromForm = mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data';
  const str = (name: string): string | undefined => {
    const value = fields[name];
    // A repeated form field arrives as an array; the last value wins, as in Go's form decoder.
    if (Array.isArray(value)) return typeof value.at(-1) === 'string' ? (value.at(-1) as string) : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  return {
    method: str('method'),
    csrfToken: str('csrf_token'),
    field: str,
    fromForm,
    stringMap(name) {
      const out: Record<string, string> = {};
      const nested = fields[name];
      if (isRecord(nested)) {
        for (const [key, value] of Object.entries(nested)) if (typeof value === 'string') out[key] = value;
      }
      for (const key of Object.keys(fields)) {
        if (!key.startsWith(`${name}.`)) continue;
        const value = str(key);
        if (value !== undefined) out[key.slice(name.length + 1)] = value;
      }
      return out;
    },
    transientPayload() {
      let value: unknown = fields.transient_payload;
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch {
          throw badRequest('transient_payload must be a JSON object.');
        }
      }
      if (value === undefined || value === null) return undefined;
      if (!isRecord(value)) throw badRequest('transient_payload must be a JSON object.');
      if (depthExceeds(value, MAX_DEPTH))
        throw badRequest(`transient_payload may nest at most ${MAX_DEPTH} levels.`);
      return value as JsonObject;
    },
    traits() {
      if (isRecord(fields.traits)) {
        if (depthExceeds(fields.traits, MAX_DEPTH))
          throw badRequest(`traits may nest at most ${MAX_DEPTH} levels.`);
        return fields.traits as JsonObject;
      }
      const traits: JsonObject = {};
      for (const [key, value] of Object.entries(fields)) {
        if (!key.startsWith('traits.')) continue;
        const last = Array.isArray(value) ? value.at(-1) : value;
        setDotted(traits, key.slice('traits.'.length).split('.'), last as JsonValue);
      }
      return traits;
    },
  };
}

/** Whether `value` nests deeper than `limit`, measured without recursion. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
