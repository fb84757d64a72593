import { AppError } from '../../../kernel/errors.js';

/**
 * Where a sign-in with a provider went wrong, once its flow is known. The flow shows the reason
 * (message 4000001 or 5000001) and the person can try again; branch on `stage`, never the text.
 */
export type OidcFailureStage =
  /** The provider answered the authorization request with an `error`. */
  | 'provider'
  /** The code exchange or the ID token's checks failed (state, issuer, audience, nonce, a used code). */
  | 'exchange'
  /** Discovery or the provider's keys could not be fetched. */
  | 'unavailable'
  /** The provider's answer had no subject, or its user API failed. */
  | 'claims'
  /** The Jsonnet mapper failed or gave no `identity.traits`. */
  | 'mapper';

export class OidcFailure extends Error {
  constructor(
    readonly stage: OidcFailureStage,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OidcFailure';
  }
}

/**
 * A callback that cannot be tied to a flow and a browser: no or an unknown `state` (forged, or
 * used before), a state for another provider, or a browser without the continuity cookie. Nothing
 * is signed in; the answer is Kratos's 400.
 */
export function invalidCallbackState(reason: string): AppError {
  return new AppError('bad_request', 400, 'The request was malformed or contained invalid parameters', {
    reason,
    exposeId: false,
  });
}

/** A submission naming a provider that is not configured (or the method is off). */
export function unknownProvider(provider: string): AppError {
  return new AppError('bad_request', 400, 'The request was malformed or contained invalid parameters', {
    reason: `The OpenID Connect provider "${provider}" is unknown or not enabled.`,
    exposeId: false,
  });
}
