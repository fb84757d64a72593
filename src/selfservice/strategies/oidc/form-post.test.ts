import fastifyFormbody from '@fastify/formbody';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../../app/http.js';
import { silentLogger } from '../../../kernel/logger.js';
import type { OidcDeps } from './deps.js';
import { oidcRoutes } from './routes.js';

/** The POST callback reads nothing but the public base URL; the rest of the deps stay unused. */
const deps = { login: { publicBase: new URL('https://auth.example.com/kratos/') } } as unknown as OidcDeps;

describe('the form_post callback', () => {
  const app = createHttpServer({ logger: silentLogger() });
  beforeAll(async () => {
    await app.register(fastifyFormbody);
    await app.register(oidcRoutes(deps));
    await app.ready();
  });
  afterAll(() => app.close());

  it("redirects (302) to the GET callback under the public base URL's path, never the Host header's", async () => {
    for (const path of ['/self-service/methods/oidc/callback/apple', '/self-service/methods/oidc/callback']) {
      const answer = await app.inject({
        method: 'POST',
        url: `${path}?x=1`,
        headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'state=s&code=c',
      });
      expect(answer.statusCode).toBe(302);
      expect(answer.headers.location).toBe(`https://auth.example.com/kratos${path}?x=1&state=s&code=c`);
    }
  });
});
