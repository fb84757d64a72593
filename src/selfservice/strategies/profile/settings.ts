/**
 * The profile method of the settings flow (Kratos's profile strategy `Settings`): new traits,
 * validated against the identity's schema; a change to an identifier or an address needs a
 * privileged session.
 */

import type { JsonObject } from '../../../identity/model.js';
import type { IdentitySchemas } from '../../../identity/ports.js';
import { internalError } from '../../../kernel/errors.js';
import { isRecord } from '../../../kernel/json.js';
import { Msg, uiText } from '../../flow/messages.js';
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

/**
 * What was sent as `traits`: nothing at all (`undefined`), the traits object (from JSON, or
 * gathered from `traits.a.b` fields, which JSON may use too), or, from JSON, whatever else the
 * `traits` key held (which the identity schema then refuses as not an object).
 */
function sentTraits(input: SettingsSubmission): unknown {
  const { submission, body } = input;
  const keyed = !submission.fromForm && isRecord(body) && Object.hasOwn(body, 'traits');
  if (keyed && !isRecord(body.traits)) return body.traits;
  const gathered = submission.traits();
  return keyed || Object.keys(gathered).length > 0 ? gathered : undefined;
}

/**
 * `method: profile` with `traits` (a JSON object, or `traits.a.b` form fields). As Kratos, the
 * submission is validated against the profile method's schema, which requires `traits` (4000002
 * "Property traits is missing." on a `traits` node), and the identity schema (4000002 on each
 * required `traits.*` node for `traits: {}`); both show the form again (400 with the flow).
 */
export async function updateProfile(
  deps: ProfileSettingsDeps,
  input: SettingsSubmission,
): Promise<SettingsChange> {
  const { identity, submission } = input;
  const sent = sentTraits(input);
  if (sent === undefined) {
    return {
      kind: 'invalid',
      fields: { traits: [uiText(Msg.ErrorValidationRequired, { property: 'traits' })] },
    };
  }
  let traits: unknown = sent;
  if (submission.fromForm && isRecord(sent)) {
    const document = deps.schemaDocument(identity.schema_id) ?? {};
    traits = withoutEmpty(coerceFormTraits(document, sent as JsonObject));
  }

  const validation = deps.schemas.validate(identity.schema_id, traits);
  if (!validation) throw internalError(`The identity schema "${identity.schema_id}" is not loaded.`);
  if (!validation.ok) {
    const shown = isRecord(traits) ? (traits as JsonObject) : undefined;
    return {
      kind: 'invalid',
      fields: traitFieldMessages(validation.errors),
      ...(shown ? { traits: shown } : {}),
    };
  }

  if (changesProtectedFields(identity, validation) && !(await input.privileged())) {
    return { kind: 'needs_privilege' };
  }
  return { kind: 'update', body: { ...currentIdentityBody(identity), traits: validation.traits } };
}
