import type { FastifyInstance } from 'fastify';

export interface HealthDeps {
  /** Resolves when the service can serve traffic: migrations applied, database answering. */
  ready(): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }>;
  version: string;
}

/** `/health/alive`, `/health/ready` and `/version`, as Kratos and Oathkeeper serve them. */
export function healthRoutes(deps: HealthDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/health/alive', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
    app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
      const result = await deps.ready();
      if (result.ok) return { status: 'ok' };
      return reply.code(503).send({ errors: result.errors });
    });
    app.get('/version', async () => ({ version: deps.version }));
  };
}
