import { type ConfigDoc, nonEmptyString, objectOrEmpty, stringList } from '../document-read.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** The provider presets Portcullis implements (Kratos knows more; the others stop the start). */
export const OIDC_PROVIDER_KINDS = [
  'generic',
  'google',
  'github',
  'microsoft',
  'gitlab',
  'discord',
  'auth0',
  'apple',
] as const;

export type OidcProviderKind = (typeof OIDC_PROVIDER_KINDS)[number];

export type OidcPkceMode = 'auto' | 'force' | 'never';

export type OidcClaimsSource = 'id_token' | 'userinfo';

/** Sign in with Apple signs its client secret with a key instead of configuring one. */
export interface AppleSigningKey {
  readonly teamId: string;
  readonly privateKeyId: string;
  /** PKCS#8 PEM of the P-256 key Apple issued. */
  readonly privateKey: string;
}

/** One entry of `selfservice.methods.oidc.config.providers`. */
export interface OidcProviderConfig {
  /** Kratos's `id`: the name in URLs, buttons (`provider=<id>`) and credential identifiers. */
  readonly id: string;
  readonly kind: OidcProviderKind;
  /** Text of the buttons; the id when unset. */
  readonly label: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly issuerUrl: string | undefined;
  readonly authUrl: string | undefined;
  readonly tokenUrl: string | undefined;
  readonly mapperUrl: string;
  readonly scope: readonly string[];
  readonly claimsSource: OidcClaimsSource;
  readonly pkce: OidcPkceMode;
  /** The OpenID Connect `claims` request parameter, passed as it is. */
  readonly requestedClaims: Readonly<Record<string, unknown>> | undefined;
  readonly microsoftTenant: string | undefined;
  /** Audiences besides `client_id` an `id_token` submitted by a native app may carry. */
  readonly additionalIdTokenAudiences: readonly string[];
  readonly apple: AppleSigningKey | undefined;
}

/** `selfservice.methods.oidc`. */
export interface OidcMethodConfig {
  readonly enabled: boolean;
  /** `config.base_redirect_uri`, else `serve.public.base_url`: where callbacks are built. */
  readonly baseRedirectUri: URL;
  readonly providers: readonly OidcProviderConfig[];
}

function isKind(value: string): value is OidcProviderKind {
  return (OIDC_PROVIDER_KINDS as readonly string[]).includes(value);
}

/**
 * Reads `selfservice.methods.oidc`. The document passed Kratos's schema already (ids, client ids
 * and mapper URLs are present); this refuses what the schema allows but Portcullis cannot do: a
 * provider kind without a preset here, a duplicate id, a `generic` provider without an issuer.
 */
export function oidcMethodConfig(
  document: KratosConfigDocument,
  publicBase: URL,
): AreaResult<OidcMethodConfig> {
  const method = objectOrEmpty(
    objectOrEmpty(objectOrEmpty((document as ConfigDoc).selfservice).methods).oidc,
  );
  const config = objectOrEmpty(method.config);
  const issues: ConfigIssue[] = [];
  const providers: OidcProviderConfig[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of (Array.isArray(config.providers) ? config.providers : []).entries()) {
    const raw = objectOrEmpty(entry);
    const path = `selfservice.methods.oidc.config.providers.${index}`;
    const id = nonEmptyString(raw.id) ?? '';
    const kind = nonEmptyString(raw.provider) ?? '';
    if (!isKind(kind)) {
      issues.push({
        path: `${path}.provider`,
        message: `provider "${kind}" is not supported; use one of ${OIDC_PROVIDER_KINDS.join(', ')}`,
      });
      continue;
    }
    if (seen.has(id)) issues.push({ path: `${path}.id`, message: `the provider id "${id}" is used twice` });
    seen.add(id);
    const issuerUrl = nonEmptyString(raw.issuer_url);
    if ((kind === 'generic' || kind === 'auth0') && issuerUrl === undefined) {
      issues.push({ path: `${path}.issuer_url`, message: `a ${kind} provider needs issuer_url` });
    }
    const appleKey = nonEmptyString(raw.apple_private_key);
    providers.push({
      id,
      kind,
      label: nonEmptyString(raw.label),
      clientId: nonEmptyString(raw.client_id) ?? '',
      clientSecret: nonEmptyString(raw.client_secret),
      issuerUrl,
      authUrl: nonEmptyString(raw.auth_url),
      tokenUrl: nonEmptyString(raw.token_url),
      mapperUrl: nonEmptyString(raw.mapper_url) ?? '',
      scope: stringList(raw.scope),
      claimsSource: raw.claims_source === 'userinfo' ? 'userinfo' : 'id_token',
      pkce: raw.pkce === 'force' || raw.pkce === 'never' ? raw.pkce : 'auto',
      requestedClaims:
        Object.keys(objectOrEmpty(raw.requested_claims)).length > 0
          ? objectOrEmpty(raw.requested_claims)
          : undefined,
      microsoftTenant: nonEmptyString(raw.microsoft_tenant),
      additionalIdTokenAudiences: stringList(raw.additional_id_token_audiences),
      apple:
        appleKey === undefined
          ? undefined
          : {
              teamId: nonEmptyString(raw.apple_team_id) ?? '',
              privateKeyId: nonEmptyString(raw.apple_private_key_id) ?? '',
              privateKey: appleKey,
            },
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const base = nonEmptyString(config.base_redirect_uri);
  return {
    ok: true,
    value: {
      enabled: method.enabled === true,
      baseRedirectUri: base === undefined ? publicBase : new URL(base.endsWith('/') ? base : `${base}/`),
      providers,
    },
  };
}
