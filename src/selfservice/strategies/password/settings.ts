/**
 * The password method of the settings flow (Kratos's password strategy `Settings`): a new
 * password, for a privileged session only, held to the same policy as at registration and
 * refused when it is the current one.
 */

import type { PasswordHashing } from '../../../hash/index.js';
import type { Identity } from '../../../identity/model.js';
import type { IdentitySchemas } from '../../../identity/ports.js';
import { internalError } from '../../../kernel/errors.js';
import { Msg, uiText } from '../../flow/messages.js';
import {
  currentIdentityBody,
  type SettingsChange,
  type SettingsSubmission,
} from '../../settings/strategy.js';
import {
  type BreachLookup,
  type PasswordPolicyConfig,
  type PasswordPolicyLogger,
  validatePasswordForIdentifiers,
} from './policy/index.js';

export interface PasswordSettingsDeps {
  schemas: IdentitySchemas;
  hashing: Pick<PasswordHashing, 'verify'>;
  passwordPolicy: PasswordPolicyConfig;
  breaches: BreachLookup;
}

/** `method: password` with `password`. */
export async function updatePassword(
  deps: PasswordSettingsDeps,
  input: SettingsSubmission & { logger?: PasswordPolicyLogger },
): Promise<SettingsChange> {
  const { identity } = input;
  // As in Kratos, the session's age is checked before anything about the password is said.
  if (!(await input.privileged())) return { kind: 'needs_privilege' };
  const password = input.submission.field('password') ?? '';
  const refuse = (message: ReturnType<typeof uiText>): SettingsChange => ({
    kind: 'invalid',
    fields: { password: [message] },
  });
  if (password === '') return refuse(uiText(Msg.ErrorValidationRequired, { property: 'password' }));

  // The policy compares the password with every login identifier, as Kratos's validator does.
  const identifiers = passwordIdentifiers(deps, identity);
  if (identifiers.length === 0) {
    return { kind: 'invalid', fields: {}, messages: [uiText(Msg.ErrorValidationIdentifierMissing)] };
  }
  const policy = await validatePasswordForIdentifiers(identifiers, password, deps.passwordPolicy, {
    breaches: deps.breaches,
    logger: input.logger,
  });
  if (!policy.ok) {
    if (policy.kind === 'lookup_failed')
      throw internalError('The password breach lookup failed.', policy.error);
    return refuse(policy.reason.message);
  }

  const stored = identity.credentials.password?.config.hashed_password;
  if (typeof stored === 'string' && (await deps.hashing.verify(password, stored)).ok) {
    return refuse(uiText(Msg.ErrorValidationPasswordNewSameAsOld));
  }
  return {
    kind: 'update',
    body: { ...currentIdentityBody(identity), credentials: { password: { config: { password } } } },
  };
}

/** The identifiers a password signs in with, as the identity schema derives them from the traits. */
function passwordIdentifiers(deps: PasswordSettingsDeps, identity: Identity): string[] {
  const validation = deps.schemas.validate(identity.schema_id, identity.traits);
  if (validation?.ok) return validation.identifiers.password ?? [];
  return identity.credentials.password?.identifiers ?? [];
}
