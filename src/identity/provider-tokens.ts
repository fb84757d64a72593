import type { SecretCipher } from '../kernel/cipher.js';
import type { JsonObject, JsonValue } from './model.js';

/** Kratos's names for the tokens kept with a linked provider account, in its oidc credential. */
export const PROVIDER_TOKEN_FIELDS = [
  'initial_id_token',
  'initial_access_token',
  'initial_refresh_token',
] as const;
export type ProviderTokenField = (typeof PROVIDER_TOKEN_FIELDS)[number];

/** What a provider's token endpoint (or a native app's ID token) gave for a sign-in. */
export interface ProviderTokenSet {
  id_token?: string;
  access_token?: string;
  refresh_token?: string;
}

const SOURCE: Record<ProviderTokenField, keyof ProviderTokenSet> = {
  initial_id_token: 'id_token',
  initial_access_token: 'access_token',
  initial_refresh_token: 'refresh_token',
};

/**
 * The tokens a provider issued when its account was linked, each sealed with the secret cipher,
 * as Kratos keeps them (`initial_*_token`) for the admin API's `include_credential=oidc`. A class
 * rather than plain data: only the oidc strategy (sealing what the provider sent) or a stored
 * credential makes one, so an admin import body, plain JSON, can never plant tokens.
 */
export class SealedProviderTokens {
  private constructor(readonly fields: Readonly<Partial<Record<ProviderTokenField, string>>>) {}

  /** Seals what the provider sent; a token it did not send stays absent. */
  static seal(cipher: SecretCipher, tokens: ProviderTokenSet): SealedProviderTokens {
    const fields: Partial<Record<ProviderTokenField, string>> = {};
    for (const field of PROVIDER_TOKEN_FIELDS) {
      const token = tokens[SOURCE[field]];
      if (typeof token === 'string' && token !== '') fields[field] = cipher.encrypt(token);
    }
    return new SealedProviderTokens(fields);
  }

  /** The sealed tokens of a stored provider entry (or of a flow's parked account), if any. */
  static stored(entry: Readonly<Record<string, unknown>>): SealedProviderTokens | undefined {
    const fields: Partial<Record<ProviderTokenField, string>> = {};
    for (const field of PROVIDER_TOKEN_FIELDS) {
      const sealed = entry[field];
      if (typeof sealed === 'string' && sealed !== '') fields[field] = sealed;
    }
    return Object.keys(fields).length === 0 ? undefined : new SealedProviderTokens(fields);
  }

  /** The sealed fields as stored: in a credential's provider entry, or parked on a flow. */
  toJson(): JsonObject {
    return { ...this.fields };
  }
}

/**
 * The oidc credential's config as Kratos declassifies it for `include_credential=oidc`: each linked
 * account with its tokens in the clear, `""` for a token the provider never sent (or that was
 * linked before tokens were kept).
 */
export function declassifiedOidcConfig(config: JsonObject, cipher: SecretCipher): JsonObject {
  const providers = Array.isArray(config.providers) ? config.providers : [];
  return {
    providers: providers.flatMap((entry): JsonValue[] => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
      const out: JsonObject = { subject: entry.subject ?? '', provider: entry.provider ?? '' };
      for (const field of PROVIDER_TOKEN_FIELDS) {
        const sealed = entry[field];
        out[field] = typeof sealed === 'string' && sealed !== '' ? cipher.decrypt(sealed) : '';
      }
      if (entry.use_auto_link === true) out.use_auto_link = true;
      return [out];
    }),
  };
}
