import type { FastifyInstance } from 'fastify';

/** What a ready check found: each failing check by name (`database`, `migrations`, ...). */
export type Readiness = { ok: true } | { ok: false; errors: Record<string, string> };

export interface HealthDeps {
  /** Resolves when the service can serve traffic: migrations applied, database answering. */
  ready(): Promise<Readiness>;
  version: string;
  /**
   * Whether `/health/ready` names what failed. Kratos shares the reasons on the admin listener
   * only; the public one says each check failed without saying why (ory/x healthx Ready).
   */
  shareErrors: boolean;
  /** Whether to serve `/version`: Kratos registers it on the admin listener only (SetVersionRoutes). */
  serveVersion: boolean;
}

/** What Kratos's public listener answers in place of each failing check's reason (ory/x healthx Ready). */
export const OBFUSCATED_READY_ERROR = 'error may contain sensitive information and was obfuscated';

/** `/health/alive`, `/health/ready` and (admin) `/version`, as Kratos serves them (ory/x healthx). */
export function healthRoutes(deps: HealthDeps) {
  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/health/alive', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
    app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
      const result = await deps.ready();
      if (result.ok) return { status: 'ok' };
      return reply.code(503).send({ errors: deps.shareErrors ? result.errors : obfuscated(result.errors) });
    });
    if (deps.serveVersion) app.get('/version', async () => ({ version: deps.version }));
  };
}

function obfuscated(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(errors).map((name) => [name, OBFUSCATED_READY_ERROR]));
}
