import * as oidc from 'openid-client';
import type { OidcMethodConfig, OidcProviderConfig } from '../../../config/areas/oidc.js';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { APPLE_SECRET_LIFETIME_MS, appleClientSecret } from './apple-secret.js';
import { outboundFetch } from './outbound-fetch.js';
import { type ProviderEndpoints, providerEndpoints } from './presets.js';

/** One configured provider with what talking to it needs. */
export interface ProviderClient {
  readonly config: OidcProviderConfig;
  readonly endpoints: ProviderEndpoints;
  /** `<base>/self-service/methods/oidc/callback/<id>` (without the id with `pkce: force`, as Kratos). */
  readonly redirectUri: string;
  /**
   * openid-client's view of the provider: discovered on first use and kept (a failed discovery is
   * tried again on the next use, so a provider that was down at start does not need a restart).
   */
  configuration(): Promise<oidc.Configuration>;
  /** The `fetch` every call to this provider goes through (SSRF-guarded). */
  readonly fetch: oidc.CustomFetch;
}

/** The configured providers by id. */
export interface ProviderClients {
  get(id: string): ProviderClient | undefined;
  list(): readonly ProviderClient[];
}

export function createProviderClients(
  method: OidcMethodConfig,
  http: OutboundHttp,
  now: () => Date = () => new Date(),
): ProviderClients {
  const clients = new Map<string, ProviderClient>();
  for (const provider of method.providers) {
    clients.set(provider.id, providerClient(provider, method.baseRedirectUri, http, now));
  }
  return {
    get: (id) => clients.get(id),
    list: () => [...clients.values()],
  };
}

function providerClient(
  provider: OidcProviderConfig,
  base: URL,
  http: OutboundHttp,
  now: () => Date,
): ProviderClient {
  const endpoints = providerEndpoints(provider);
  const fetch = outboundFetch(http);
  const path =
    provider.pkce === 'force'
      ? 'self-service/methods/oidc/callback'
      : `self-service/methods/oidc/callback/${encodeURIComponent(provider.id)}`;
  let cached: { configuration: Promise<oidc.Configuration>; expiresAt: number } | undefined;

  async function build(): Promise<oidc.Configuration> {
    const secret = provider.apple
      ? await appleClientSecret(provider.apple, provider.clientId, now())
      : provider.clientSecret;
    const metadata = secret === undefined ? undefined : { client_secret: secret };
    const auth = secret === undefined ? oidc.None() : oidc.ClientSecretPost(secret);
    // Plain http is for loopback providers in development and tests; the SSRF guard still applies.
    const insecure = endpoints.issuer.startsWith('http:');
    let configuration: oidc.Configuration;
    if (endpoints.kind === 'discovery') {
      configuration = await oidc.discovery(new URL(endpoints.issuer), provider.clientId, metadata, auth, {
        [oidc.customFetch]: fetch,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      });
    } else {
      configuration = new oidc.Configuration(
        {
          issuer: endpoints.issuer,
          authorization_endpoint: endpoints.authorizationEndpoint,
          token_endpoint: endpoints.tokenEndpoint,
        },
        provider.clientId,
        metadata,
        auth,
      );
      if (insecure) oidc.allowInsecureRequests(configuration);
    }
    // Explicit endpoints win over discovered ones (Kratos's auth_url / token_url).
    if (endpoints.kind === 'discovery' && (provider.authUrl || provider.tokenUrl)) {
      // A plain copy: serverMetadata() adds helper functions that are not metadata.
      const { supportsPKCE: _helper, ...discovered } = configuration.serverMetadata();
      const server: oidc.ServerMetadata = {
        ...discovered,
        authorization_endpoint: provider.authUrl ?? discovered.authorization_endpoint,
        token_endpoint: provider.tokenUrl ?? discovered.token_endpoint,
      };
      configuration = new oidc.Configuration(server, provider.clientId, metadata, auth);
      if (insecure) oidc.allowInsecureRequests(configuration);
    }
    configuration[oidc.customFetch] = fetch;
    // The token endpoint's ID token is verified against the provider's published keys (jwks_uri),
    // as Kratos's go-oidc verifier does: openid-client checks its claims by default but its
    // signature only with this (it relies on TLS to the token endpoint, which an `http:` issuer, a
    // `token_url` override or a proxy in the way do not give). A provider without keys fails closed.
    if (endpoints.kind === 'discovery') oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  return {
    config: provider,
    endpoints,
    redirectUri: new URL(path, base).toString(),
    fetch,
    configuration() {
      const at = now().getTime();
      if (cached === undefined || cached.expiresAt <= at) {
        const configuration = build();
        // An Apple secret is re-signed before it expires; other configurations are kept.
        const expiresAt = provider.apple ? at + APPLE_SECRET_LIFETIME_MS / 2 : Number.POSITIVE_INFINITY;
        const entry = { configuration, expiresAt };
        cached = entry;
        configuration.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.configuration;
    },
  };
}
