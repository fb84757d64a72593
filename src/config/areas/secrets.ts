import type { KratosConfigDocument, SecretsConfig } from '../types.js';

/**
 * Key rings. As in Kratos, `cookie` falls back to `default`. Unlike Kratos, `default` falls
 * back to `cookie` instead of a per-process random value (the quickstart configs set only
 * `cookie`), so both always hold at least one secret after loading.
 */
export function secretsConfig(document: KratosConfigDocument): SecretsConfig {
  const configuredDefault = nonEmpty(document.secrets?.default);
  const configuredCookie = nonEmpty(document.secrets?.cookie);
  return {
    default: configuredDefault ?? configuredCookie ?? [],
    cookie: configuredCookie ?? configuredDefault ?? [],
    cipher: nonEmpty(document.secrets?.cipher) ?? [],
  };
}

/** Notes the fallback from `cookie` to `default`, which Kratos does not do. */
export function secretsWarnings(document: KratosConfigDocument): string[] {
  if (nonEmpty(document.secrets?.default) !== undefined || nonEmpty(document.secrets?.cookie) === undefined)
    return [];
  return [
    'secrets.default is not set; using secrets.cookie for it as well. Set secrets.default (env SECRETS_DEFAULT).',
  ];
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  return list !== undefined && list.length > 0 ? [...list] : undefined;
}
