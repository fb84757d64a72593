import type { Identity, JsonValue } from '../../identity/model.js';
import { serializeIdentity } from '../../identity/serialize.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { type ContinueWith, continueWithJson } from '../flow/respond.js';
import { serializeFlow } from '../flow/serialize.js';

/**
 * A settings flow in Kratos's `settingsFlow` shape: the common flow fields, the identity it
 * belongs to (without credentials) and, after a successful submission, `continue_with`.
 */
export function serializeSettingsFlow(
  flow: SelfServiceFlow,
  identity: Identity,
  schemaUrl: string,
  continueWith: readonly ContinueWith[] = [],
): Record<string, JsonValue> {
  const out = serializeFlow(flow);
  out.identity = serializeIdentity(identity, { admin: false, schemaUrl });
  if (continueWith.length > 0) out.continue_with = continueWithJson([...continueWith]);
  return out;
}
