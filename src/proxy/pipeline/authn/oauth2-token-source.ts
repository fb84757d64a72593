import type { OutboundHttp } from '../../../kernel/http-client.js';
import type { RetryPolicy } from '../retry.js';
import {
  type ClientAuthStyle,
  type ClientCredentialsGrant,
  requestClientCredentialsToken,
  type TokenGrantResult,
} from './oauth2-token-request.js';

export type SourcedToken = { ok: true; token: string } | { ok: false; reason: string };

/** Renew this long before `expires_in` runs out (golang.org/x/oauth2's expiryDelta). */
const EARLY_RENEWAL_MS = 10_000;

/**
 * An access token of our own from a client credentials grant, kept until shortly before it
 * expires (a token without `expires_in` is kept until {@link invalidate} drops it). Concurrent
 * callers share one grant request; a failed grant is not remembered. The client authenticates
 * as golang.org/x/oauth2's AuthStyleAutoDetect does (Oathkeeper's pre_authorization leaves the
 * style unset): HTTP Basic first, then the form body, and the style that worked is kept.
 */
export class ClientCredentialsTokenSource {
  #current: { token: string; renewAt: number } | undefined;
  #pending: Promise<SourcedToken> | undefined;
  /**
   * How the token endpoint took our credentials the last time it granted; unknown until then.
   * One source has one token URL and client, so this is x/oauth2's per-config, per-URL memory.
   */
  #authStyle: ClientAuthStyle | undefined;

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
    const result = await this.#grantToken();
    if (result.kind !== 'granted') return { ok: false, reason: `pre_authorization: ${result.reason}` };
    const lifetimeMs = result.expiresInS === undefined ? Number.POSITIVE_INFINITY : result.expiresInS * 1000;
    // A short-lived token is renewed halfway through rather than never used.
    const renewAt = Date.now() + Math.max(lifetimeMs - EARLY_RENEWAL_MS, lifetimeMs / 2);
    this.#current = { token: result.accessToken, renewAt };
    return { ok: true, token: result.accessToken };
  }

  /**
   * x/oauth2's RetrieveToken with an unknown style: HTTP Basic first and, if that fails in any
   * way (refused, unreachable, no access_token), once more with the credentials in the form
   * body. The style that worked is kept and used alone from then on, without falling back.
   */
  async #grantToken(): Promise<TokenGrantResult> {
    const known = this.#authStyle;
    if (known !== undefined) return requestClientCredentialsToken(this.http, this.grant, this.retry, known);
    let style: ClientAuthStyle = 'header';
    let result = await requestClientCredentialsToken(this.http, this.grant, this.retry, style);
    if (result.kind !== 'granted') {
      style = 'params';
      result = await requestClientCredentialsToken(this.http, this.grant, this.retry, style);
    }
    if (result.kind === 'granted') this.#authStyle = style;
    return result;
  }
}
