import type { OutboundHttp } from '../../../kernel/http-client.js';
import type { RetryPolicy } from '../retry.js';
import { type ClientCredentialsGrant, requestClientCredentialsToken } from './oauth2-token-request.js';

export type SourcedToken = { ok: true; token: string } | { ok: false; reason: string };

/** Renew this long before `expires_in` runs out (golang.org/x/oauth2's expiryDelta). */
const EARLY_RENEWAL_MS = 10_000;

/**
 * An access token of our own from a client credentials grant, kept until shortly before it
 * expires (a token without `expires_in` is kept until {@link invalidate} drops it). Concurrent
 * callers share one grant request; a failed grant is not remembered.
 */
export class ClientCredentialsTokenSource {
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<SourcedToken> | undefined;

  constructor(
    private readonly http: OutboundHttp,
    private readonly grant: ClientCredentialsGrant,
    private readonly retry: RetryPolicy,
  ) {}

  async token(): Promise<SourcedToken> {
    const current = this.#current;
    if (current !== undefined && current.renewAt > Date.now()) return { ok: true, token: current.token };
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` (the resource server refused it), unless a newer one replaced it already. */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #fetch(): Promise<SourcedToken> {
    const result = await requestClientCredentialsToken(this.http, this.grant, this.retry);
    if (result.kind !== 'granted') return { ok: false, reason: `pre_authorization: ${result.reason}` };
    const lifetimeMs = result.expiresInS === undefined ? Number.POSITIVE_INFINITY : result.expiresInS * 1000;
    // A short-lived token is renewed halfway through rather than never used.
    const renewAt = Date.now() + Math.max(lifetimeMs - EARLY_RENEWAL_MS, lifetimeMs / 2);
    this.#current = { token: result.accessToken, renewAt };
    return { ok: true, token: result.accessToken };
  }
}
