import type { JsonObject, JsonValue } from '../identity/model.js';
import { isJsonObject } from '../identity/schema/json.js';

/**
 * Hydra's OAuth2 login request as Kratos shows it on a flow (`oauth2_login_request`, the
 * OpenAPI `OAuth2LoginRequest`): the OAuth2 client asking, the scopes, and whether Hydra
 * remembers the person (`skip`, with `subject`).
 */
export type OAuth2LoginRequest = {
  challenge: string;
  skip: boolean;
  subject: string;
  /** The OAuth2 authorization URL the client started with ('' when Hydra sent none). */
  request_url: string;
  client: JsonObject;
  requested_scope: string[];
  requested_access_token_audience: string[];
  oidc_context?: JsonObject;
  session_id?: string;
};

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/**
 * Hydra's answer read as hydra-client-go decodes it: the fields Kratos relies on must be there
 * with their types (undefined otherwise: Kratos refuses an answer it cannot decode). Only the
 * OpenAPI shape's keys are kept, so whatever else a Hydra version adds stays out of flow JSON.
 */
export function readLoginRequest(body: unknown): OAuth2LoginRequest | undefined {
  if (!isJsonObject(body)) return undefined;
  const { challenge, skip, subject, client, oidc_context, session_id } = body;
  const requestUrl = body.request_url ?? '';
  const scope = stringList(body.requested_scope);
  const audience = stringList(body.requested_access_token_audience);
  if (typeof challenge !== 'string' || typeof skip !== 'boolean' || typeof subject !== 'string')
    return undefined;
  if (
    typeof requestUrl !== 'string' ||
    !isJsonObject(client) ||
    scope === undefined ||
    audience === undefined
  )
    return undefined;
  return {
    challenge,
    skip,
    subject,
    request_url: requestUrl,
    client,
    requested_scope: scope,
    requested_access_token_audience: audience,
    ...(isJsonObject(oidc_context) ? { oidc_context } : {}),
    ...(typeof session_id === 'string' ? { session_id } : {}),
  };
}

/** The login request as flow JSON carries it (a type alias, so it is JSON as it stands). */
export function loginRequestJson(request: OAuth2LoginRequest): JsonValue {
  return request;
}
