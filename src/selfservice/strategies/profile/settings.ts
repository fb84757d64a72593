/**
 * The profile method of the settings flow (Kratos's profile strategy `Settings`): new traits,
 * validated against the identity's schema; a change to an identifier or an address needs a
 * privileged session.
 */

import type { JsonObject } from '../../../identity/model.js';
import type { IdentitySchemas } from '../../../identity/ports.js';
import { badRequest, internalError } from '../../../kernel/errors.js';
import { coerceFormTraits, withoutEmpty } from '../../registration/form-values.js';
import { traitFieldMessages } from '../../registration/trait-messages.js';
import {
  currentIdentityBody,
  type SettingsChange,
  type SettingsSubmission,
} from '../../settings/strategy.js';
import { changesProtectedFields } from './protected-fields.js';

export interface ProfileSettingsDeps {
  schemas: IdentitySchemas;
  /** The identity schema's document, for the types of form values. */
  schemaDocument(schemaId: string): JsonObject | undefined;
}

/** `method: profile` with `traits` (a JSON object, or `traits.a.b` form fields). */
export async function updateProfile(
  deps: ProfileSettingsDeps,
  input: SettingsSubmission,
): Promise<SettingsChange> {
  const { identity, submission } = input;
  let traits = submission.traits();
  if (Object.keys(traits).length === 0) throw badRequest('Did not receive any value changes.');
  if (submission.fromForm) {
    const document = deps.schemaDocument(identity.schema_id) ?? {};
    traits = withoutEmpty(coerceFormTraits(document, traits));
  }

  const validation = deps.schemas.validate(identity.schema_id, traits);
  if (!validation) throw internalError(`The identity schema "${identity.schema_id}" is not loaded.`);
  if (!validation.ok) return { kind: 'invalid', fields: traitFieldMessages(validation.errors), traits };

  if (changesProtectedFields(identity, validation) && !(await input.privileged())) {
    return { kind: 'needs_privilege' };
  }
  return { kind: 'update', body: { ...currentIdentityBody(identity), traits: validation.traits } };
}
