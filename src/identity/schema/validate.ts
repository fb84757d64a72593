/** Runs a compiled identity schema over traits and assembles the result union. */

import type { ValidateFunction } from 'ajv';
import type { JsonObject } from '../model.js';
import { ExtensionCollector } from './extension.js';
import { cloneJson, isJsonObject, jsonTypeOf } from './json.js';
import { dedupeErrors, toValidationErrors } from './messages.js';
import type { TraitsValidationResult } from './types.js';

/**
 * Wraps a compiled schema validator into `validate(traits)`. The traits are deep-copied first:
 * the copy proves they are JSON data, and the result never aliases the caller's object. Nothing
 * is written into them (no `default`s), as in Kratos.
 */
export function createTraitsValidator(
  compiled: ValidateFunction,
): (traits: unknown) => TraitsValidationResult {
  return (traits: unknown): TraitsValidationResult => {
    const copy = cloneJson(traits);
    if (copy === undefined) {
      return invalid('type', 'traits must be JSON data', { actual_type: jsonTypeOf(traits) });
    }
    // Kratos validates `{"traits": ...}` against the schema, whose root describes the identity.
    const identity: JsonObject = { traits: copy };
    const collector = new ExtensionCollector();
    const valid = compiled.call(collector, identity);
    // Read `errors` straight away: Ajv keeps them on the shared function until the next call.
    const errors = dedupeErrors([
      ...(valid ? [] : toValidationErrors(compiled.errors ?? [])),
      ...collector.errors,
    ]);
    if (errors.length > 0) return { ok: false, errors };

    const validated = identity.traits;
    // The meta-schema does not force `"type": "object"` on traits, but an identity needs an object.
    if (!isJsonObject(validated)) {
      const actual = jsonTypeOf(validated);
      return invalid('type', `expected object, but got ${actual}`, {
        allowed_types: ['object'],
        actual_type: actual,
      });
    }
    return { ok: true, traits: validated, ...collector.result() };
  };
}

function invalid(keyword: string, message: string, context: JsonObject): TraitsValidationResult {
  return { ok: false, errors: [{ pointer: '#/traits', keyword, message, context }] };
}
