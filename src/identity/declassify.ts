/** What `include_credential` shows of an identity's credentials, as Kratos's WithDeclassifiedCredentials. */

import type { FastifyRequest } from 'fastify';
import type { SecretCipher } from '../kernel/cipher.js';
import type { Credential, JsonObject, JsonValue } from './model.js';
import { declassifiedOidcConfig } from './provider-tokens.js';

/**
 * What `include_credential` shows, as Kratos's WithDeclassifiedCredentials: for each type asked
 * for, its `config`. oidc and saml show their linked accounts (`provider`, `subject`, and for oidc
 * the tokens sealed at linking, in the clear; `""` for one never sent or that no key of the cipher
 * opens any more, as Kratos answers); every other type its config as stored, so `password` shows
 * `hashed_password`, which a migration or backup needs. Types not asked for show none.
 */
export function declassifier(
  include: readonly string[],
  cipher: SecretCipher,
  request: FastifyRequest,
): ((credential: Credential) => JsonObject | undefined) | undefined {
  if (include.length === 0) return undefined;
  let warned = false;
  const opener: SecretCipher = {
    encrypt: (plaintext) => cipher.encrypt(plaintext),
    decrypt(sealed) {
      try {
        return cipher.decrypt(sealed);
      } catch (error) {
        if (!warned) {
          warned = true;
          request.log.warn(
            { err: error },
            'include_credential=oidc: a provider token could not be decrypted (the key that sealed it is no longer in secrets.cipher, or secrets.default when secrets.cipher is unset); it is shown as ""',
          );
        }
        return '';
      }
    },
  };
  return (credential) => {
    if (!include.includes(credential.type)) return undefined;
    if (credential.type === 'oidc') return withAccounts(declassifiedOidcConfig(credential.config, opener));
    if (credential.type === 'saml') return withAccounts(samlAccounts(credential.config));
    return credential.config;
  };
}

/** A config listing no linked account shows none, as Kratos's (it writes nothing then). */
function withAccounts(config: JsonObject): JsonObject | undefined {
  return Array.isArray(config.providers) && config.providers.length > 0 ? config : undefined;
}

/** A saml credential's linked accounts, as Kratos shows them: no tokens. */
function samlAccounts(config: JsonObject): JsonObject {
  const providers = Array.isArray(config.providers) ? config.providers : [];
  return {
    providers: providers.flatMap((entry): JsonValue[] => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return [];
      const account: JsonObject = {
        subject: typeof entry.subject === 'string' ? entry.subject : '',
        provider: typeof entry.provider === 'string' ? entry.provider : '',
      };
      if (typeof entry.organization === 'string' && entry.organization !== '') {
        account.organization = entry.organization;
      }
      if (entry.use_auto_link === true) account.use_auto_link = true;
      return [account];
    }),
  };
}
