import type { KratosConfigDocument } from '../types.js';

/**
 * `oauth2_provider`: the Ory Hydra whose login requests the login and registration flows serve
 * (Kratos's OAuth2ProviderURL, OAuth2ProviderHeader, OAuth2ProviderOverrideReturnTo).
 */
export interface OAuth2ProviderConfig {
  /** `oauth2_provider.url`: Hydra's admin API. */
  readonly url: URL;
  /** `oauth2_provider.headers`: sent on every call to Hydra (an `Authorization` for a gateway). */
  readonly headers: Readonly<Record<string, string>>;
  /** `oauth2_provider.override_return_to`: a flow's return_to becomes Hydra's request_url. */
  readonly overrideReturnTo: boolean;
}

/**
 * Reads `oauth2_provider`. Undefined when `url` is unset or not a URL: as in Kratos, a
 * `login_challenge` is then refused as a misconfiguration (the schema already rejects a value
 * that is not a URI, so the second case only arises from an unvalidated document).
 */
export function oauth2ProviderConfig(document: KratosConfigDocument): OAuth2ProviderConfig | undefined {
  const provider = document.oauth2_provider;
  const raw = provider?.url;
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(provider?.headers ?? {})) {
    if (typeof value === 'string') headers[name] = value;
  }
  return { url, headers, overrideReturnTo: provider?.override_return_to === true };
}
