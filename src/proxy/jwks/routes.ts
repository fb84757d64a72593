import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { JWK } from 'jose';
import type { PipelineGlobalConfig, RulePipelineSpec } from '../pipeline/compile.js';
import { publicJwks } from './keys.js';
import type { JwksStore } from './store.js';

export interface JwksRoutesDeps {
  store: JwksStore;
  /** The sets whose public keys are served; read per request, so reloaded rules count. */
  urls: () => readonly string[];
}

/**
 * `GET /.well-known/jwks.json`: the public keys of every id_token signing set, as Oathkeeper's
 * API port. Private members and symmetric keys are never served. Mount it on the API listener.
 */
export function jwksRoutes(deps: JwksRoutesDeps): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/.well-known/jwks.json', async (request, reply) => {
      const keys: JWK[] = [];
      const seen = new Set<string>();
      try {
        for (const url of new Set(deps.urls())) {
          for (const key of publicJwks(await deps.store.get(url)).keys) {
            const id = JSON.stringify(key);
            if (!seen.has(id)) keys.push(key);
            seen.add(id);
          }
        }
      } catch (error) {
        request.log.error({ err: error }, 'could not load a JSON Web Key Set');
        return reply.code(500).send({
          error: {
            code: 500,
            status: 'Internal Server Error',
            message: 'An internal server error occurred, please contact the system administrator',
          },
        });
      }
      return reply.header('cache-control', 'max-age=60').send({ keys });
    });
  };
}

/**
 * The `jwks_url`s Oathkeeper serves at `/.well-known/jwks.json`: the global
 * `mutators.id_token.config.jwks_url` and each rule's id_token mutator override.
 */
export function idTokenJwksUrls(global: PipelineGlobalConfig, rules: Iterable<RulePipelineSpec>): string[] {
  const urls = new Set<string>();
  const add = (config: unknown): void => {
    const url = (config as { jwks_url?: unknown } | undefined)?.jwks_url;
    if (typeof url === 'string' && url !== '') urls.add(url);
  };
  add(global.mutators?.id_token?.config);
  for (const rule of rules) {
    for (const mutator of rule.mutators ?? []) if (mutator.handler === 'id_token') add(mutator.config);
  }
  return [...urls];
}
