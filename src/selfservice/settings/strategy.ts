/**
 * What a settings method (strategy) decides about one submission. A strategy validates and
 * builds the identity's next state; the flow stores it, runs the hooks and answers.
 */

import type { UpdateIdentityBody } from '../../identity/bodies.js';
import type { Identity, JsonObject } from '../../identity/model.js';
import type { UiText } from '../flow/messages.js';
import type { Submission } from '../flow/submission.js';

/** Messages per node name, e.g. `{ 'traits.email': [4000002] }`. */
export type FieldMessages = Record<string, UiText[]>;

export type SettingsChange =
  /** The identity with the change: its method's part is what gets stored (see settingsChange). */
  | { kind: 'update'; body: UpdateIdentityBody }
  /** Show the form again with these messages; `traits` are the values the trait fields keep. */
  | { kind: 'invalid'; fields: FieldMessages; messages?: UiText[]; traits?: JsonObject }
  /** The change needs a session that signed in within `privileged_session_max_age`. */
  | { kind: 'needs_privilege' };

/** One submission as a strategy sees it. */
export interface SettingsSubmission {
  /** The identity as stored, credentials included. */
  identity: Identity;
  submission: Submission;
  /**
   * The request body as parsed (a JSON object or the form's fields), for what `submission` does
   * not tell: whether a key was sent at all (`traits` absent is not `traits: {}`).
   */
  body?: unknown;
  /** Whether the session signed in recently enough to change credentials and addresses. */
  privileged(): Promise<boolean>;
}

/**
 * The identity's current state as an update body, for a strategy to change one part of. What a
 * strategy returns so is a proposal: saveSettingsChange writes only its method's part of it, onto
 * the identity as stored by then (see settingsChange), never the rest as it was read here.
 */
export function currentIdentityBody(identity: Identity): UpdateIdentityBody {
  const body: UpdateIdentityBody = {
    schema_id: identity.schema_id,
    traits: identity.traits,
    state: identity.state,
  };
  if (identity.metadata_public !== null) body.metadata_public = identity.metadata_public;
  if (identity.metadata_admin !== null) body.metadata_admin = identity.metadata_admin;
  if (identity.external_id !== null) body.external_id = identity.external_id;
  return body;
}
