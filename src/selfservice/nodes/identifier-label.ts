/**
 * The label of the login `identifier` field, computed from the identity schema as Kratos's
 * `login.GetIdentifierLabelFromSchema` computes it.
 */

import type { JsonObject, JsonValue } from '../../identity/model.js';
import { isJsonObject } from '../../kernel/json.js';
import { Msg, type UiText, uiText } from '../flow/index.js';
import { listSchemaPaths, type SchemaPath } from './schema-paths.js';

/**
 * `1070002` with the field's `title` (context `{name, title}`) when exactly one schema field
 * identifies a person (a password, WebAuthn or code identifier, a passkey display name or a TOTP
 * account name) and it has a title; otherwise `1070004` "ID". With two identifiers, say email and
 * username, no single title fits the one input, so Kratos falls back to "ID".
 *
 * @throws {SchemaCycleError} the schema refers back to itself.
 */
export function identifierLabel(schemaDocument: JsonObject): UiText {
  const identifiers = listSchemaPaths(schemaDocument).filter(identifiesPerson);
  const [only] = identifiers;
  if (identifiers.length === 1 && only !== undefined && only.title !== '') {
    return uiText(Msg.InfoNodeLabelGenerated, { title: only.title, name: only.name });
  }
  return uiText(Msg.InfoNodeLabelID);
}

function identifiesPerson(path: SchemaPath): boolean {
  const credentials = path.extension?.credentials;
  return (
    flag(credentials, 'password', 'identifier') ||
    flag(credentials, 'webauthn', 'identifier') ||
    flag(credentials, 'passkey', 'display_name') ||
    flag(credentials, 'totp', 'account_name') ||
    flag(credentials, 'code', 'identifier')
  );
}

function flag(credentials: JsonValue | undefined, method: string, key: string): boolean {
  if (!isJsonObject(credentials)) return false;
  const config = credentials[method];
  return isJsonObject(config) && config[key] === true;
}
