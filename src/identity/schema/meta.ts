/**
 * Checks a document against Kratos's identity meta-schema (`ory://identity-meta`): it must
 * be a JSON Schema whose `properties.traits` has at least one property, every `ory.sh/kratos`
 * value must match the extension vocabulary, and traits with `verification` may only use the
 * formats Kratos can verify.
 */

import type { ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import type { JsonObject } from '../model.js';
import { addIdentityFormats } from './formats.js';
import { toValidationErrors } from './messages.js';
import type { TraitsValidationError } from './types.js';
import extensionSchema from './vendor/identity_extension.schema.json' with { type: 'json' };
import metaSchema from './vendor/identity_meta.schema.json' with { type: 'json' };

let metaValidator: ValidateFunction | undefined;

/** Compiled once, on first use: the meta-schema never changes at runtime. */
function getMetaValidator(): ValidateFunction {
  if (metaValidator === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false });
    // Formats matter here too: the draft-07 meta-schema checks `pattern` with `format: regex`.
    addIdentityFormats(ajv);
    ajv.addSchema(extensionSchema);
    metaValidator = ajv.compile(metaSchema);
  }
  return metaValidator;
}

/**
 * Validates an identity schema document against the identity meta-schema. Returns the
 * problems found (pointers into the document, e.g. `#/properties/traits`); empty when valid.
 */
export function validateAgainstMetaSchema(document: JsonObject): TraitsValidationError[] {
  const validate = getMetaValidator();
  if (validate(document)) return [];
  return toValidationErrors(validate.errors ?? []);
}
