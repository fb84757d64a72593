import type { JsonObject } from '../../../identity/model.js';
import type { Submission } from '../../flow/submission.js';

/**
 * Whether a login or registration submission is for the oidc method: `method=oidc`, or — as the
 * built-in UI's provider buttons post it, and as Kratos reads it — a `provider` without a method.
 */
export function isOidcSubmission(submission: Submission): boolean {
  return (
    submission.method === 'oidc' ||
    (submission.method === undefined && submission.field('provider') !== undefined)
  );
}

/** Kratos passes only these `upstream_parameters` on to the provider. */
const UPSTREAM_PARAMETERS = ['login_hint', 'hd', 'prompt', 'auth_type', 'acr_values'] as const;

/** The fields of `updateLoginFlowWithOidcMethod` / `updateRegistrationFlowWithOidcMethod`. */
export interface OidcSubmission {
  provider: string;
  /** A native app's ID token, and the nonce it asked the provider to put in it. */
  idToken: string | undefined;
  idTokenNonce: string | undefined;
  upstreamParameters: Record<string, string>;
  traits: JsonObject;
  transientPayload: JsonObject | undefined;
}

export function readOidcSubmission(submission: Submission): OidcSubmission {
  const upstream = submission.stringMap('upstream_parameters');
  const upstreamParameters: Record<string, string> = {};
  for (const name of UPSTREAM_PARAMETERS)
    if (upstream[name] !== undefined) upstreamParameters[name] = upstream[name];
  const idToken = submission.field('id_token');
  return {
    provider: submission.field('provider') ?? '',
    idToken: idToken === '' ? undefined : idToken,
    idTokenNonce: submission.field('id_token_nonce') || undefined,
    upstreamParameters,
    traits: submission.traits(),
    transientPayload: submission.transientPayload(),
  };
}
