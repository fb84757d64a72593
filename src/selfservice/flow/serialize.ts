import type { JsonValue } from '../../identity/model.js';
import type { SelfServiceFlow } from './flow.js';
import { askedFlowSchema } from './identity-schema.js';

/** A flow in Kratos's JSON shape (`loginFlow`, `registrationFlow`, ...). Internal state stays in. */
export function serializeFlow(flow: SelfServiceFlow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {
    id: flow.id,
    type: flow.type,
    expires_at: flow.expires_at.toISOString(),
    issued_at: flow.issued_at.toISOString(),
    request_url: flow.request_url,
    ui: flow.ui as unknown as JsonValue,
    state: flow.state,
    created_at: flow.created_at.toISOString(),
    updated_at: flow.updated_at.toISOString(),
    organization_id: null,
  };
  if (flow.return_to !== null) out.return_to = flow.return_to;
  if (flow.active !== null) out.active = flow.active;
  const identitySchema = askedFlowSchema(flow);
  if (identitySchema !== undefined) out.identity_schema = identitySchema;
  if (flow.kind === 'login') {
    out.refresh = flow.refresh;
    out.requested_aal = flow.requested_aal;
  }
  // Kratos's `oauth2_login_challenge` (omitted when empty): a login or registration serving an
  // Ory Hydra login request, on every answer that shows the flow (see login/oauth2-flow.ts).
  const challenge = flow.internal.oauth2_login_challenge;
  if (typeof challenge === 'string') out.oauth2_login_challenge = challenge;
  return out;
}

/** An api flow's init answer with its `session_token_exchange_code`, when it asked for one. */
export function withExchangeCode(
  json: Record<string, JsonValue>,
  initCode: string | undefined,
): Record<string, JsonValue> {
  return initCode === undefined ? json : { ...json, session_token_exchange_code: initCode };
}
