import { tokenizeTemplates } from '../config/areas/session-tokenizer.js';
import { jwksStoreFor } from '../proxy/jwks/store.js';
import { createTemplateSource } from '../selfservice/hooks/web-hook/templates.js';
import { createSessionTokenizer, type SessionTokenizer } from '../session/tokenizer.js';
import type { Registry } from './registry.js';

/**
 * whoami's tokenizer from `session.whoami.tokenizer.templates`: key sets through the same
 * cached JWKS store as the access proxy's id_token (file://, base64://, http(s)://), claims
 * mappers through the template loader web hooks use, Jsonnet in the sandboxed pool.
 */
export function buildSessionTokenizer(registry: Registry): SessionTokenizer {
  const mappers = createTemplateSource({ cwd: process.cwd(), http: registry.http });
  const jwks = jwksStoreFor(registry.http);
  return createSessionTokenizer({
    templates: tokenizeTemplates(registry.config.document),
    issuer: registry.config.serve.public.baseUrl.toString(),
    // As Kratos's tokenizer, an HMAC key signs too (its verifiers share the secret).
    signingKey: (url) => jwks.signingKey(url, { hmac: true }),
    loadMapper: (url) => mappers.load(url),
    jsonnet: registry.jsonnet,
    logger: registry.logger,
  });
}
