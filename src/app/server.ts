import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { prometheusListenerSettings } from '../config/areas/prometheus.js';
import { type AccessConfig, type Config, corsConfig, type KratosConfigDocument } from '../config/index.js';
import { adminCourierRoutes, type CourierWorker } from '../courier/index.js';
import { adminIdentityRoutes } from '../identity/admin-routes.js';
import { schemaRoutes } from '../identity/schema-routes.js';
import { adminRouteRedirects } from '../kernel/admin-redirects.js';
import { createOutboundHttp, outboundHttpConfig } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import { VERSION } from '../kernel/version.js';
import { registerCacheMetrics } from '../observability/cache-metrics.js';
import { healthRoutes, type Readiness } from '../observability/health.js';
import type { MetricsListener } from '../observability/listen.js';
import { HttpMetrics, processMetricsRegistry } from '../observability/metrics.js';
import { OathkeeperMetrics, startMetricsListener } from '../observability/oathkeeper-metrics.js';
import { identityReadiness } from '../observability/readiness.js';
import { metricsRoutes, type RouteMetrics, routeMetrics } from '../observability/route-metrics.js';
import { isInMemoryDsn } from '../persistence/dsn.js';
import { proxyRoles } from '../proxy/access.js';
import { applyCors, compileCors } from '../proxy/cors.js';
import { type RunningAccessProxy, startAccessProxy } from '../proxy/server.js';
import { inProcessSessionChecker } from '../proxy/session-checker.js';
import { reportErrorsToBrowsers, selfServiceErrorRoutes } from '../selfservice/errors/index.js';
import { loginRoutes } from '../selfservice/login/routes.js';
import { logoutRoutes } from '../selfservice/logout/routes.js';
import { adminRecoveryRoutes } from '../selfservice/recovery/admin-routes.js';
import { recoveryRoutes } from '../selfservice/recovery/routes.js';
import { registrationRoutes } from '../selfservice/registration/routes.js';
import { settingsRoutes } from '../selfservice/settings/routes.js';
import { oidcRoutes } from '../selfservice/strategies/oidc/routes.js';
import { verificationRoutes } from '../selfservice/verification/routes.js';
import { adminSessionRoutes } from '../session/admin-routes.js';
import { publicSessionRoutes } from '../session/public-routes.js';
import { WHOAMI_PATH } from '../session/whoami-answer.js';
import { type WhoamiFastPathDeps, whoamiFastPath } from '../session/whoami-fast-path.js';
import { uiRoutes } from '../ui/index.js';
import type { WebhookWorker, WorkerOverrides } from '../webhooks/outbox/index.js';
import { installFastPath } from './fast-path-server.js';
import { createHttpServer, keepOutOfCaches } from './http.js';
import { acceptMultipartForms } from './multipart-form.js';
import { publicRouteRedirects } from './public-route-redirects.js';
import { createRegistry, type Registry } from './registry.js';
import { buildSelfService, type SelfService } from './selfservice.js';
import { buildSessionTokenizer } from './tokenizer-wiring.js';
import { buildUiDeps } from './ui-wiring.js';

/**
 * What the public and admin listeners share: one set of HTTP metrics (Kratos's one
 * PrometheusManager, which both routers use) and the readiness check.
 */
export interface IdentityObservability {
  metrics: HttpMetrics;
  routeMetrics: RouteMetrics;
  ready(): Promise<Readiness>;
}

/** Kratos's metrics (`app="kratos"`), the cache's state, and readiness without Redis (readiness.ts). */
export function identityObservability(registry: Registry): IdentityObservability {
  const metrics = new HttpMetrics({ app: 'kratos', version: VERSION });
  registerCacheMetrics(metrics.registry, registry.cache);
  return { metrics, routeMetrics: routeMetrics(metrics), ready: identityReadiness(registry.database) };
}

/** The public listener: self-service flows, whoami and the caller's sessions, schemas. */
export async function buildPublicApp(
  registry: Registry,
  selfService: SelfService,
  observability: IdentityObservability = identityObservability(registry),
): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: registry.logger.child({ listener: 'public' }),
    metrics: observability.routeMetrics,
  });
  const cors = corsConfig(registry.config.document);
  let corsHeaders: WhoamiFastPathDeps['listenerHeaders'];
  if (cors.enabled) {
    // An SPA on another origin calls the public API with credentials (cookies), under the same
    // rules as Kratos (rs/cors): src/proxy/cors.ts. One difference, kept on purpose: for `*` (and
    // an empty list) Kratos reflects whatever Origin comes, with `Allow-Credentials: true`, so any
    // web site could read a signed-in visitor's whoami and drive their flows. Here `*` is a
    // literal `*` and never carries credentials; list the SPA's origins to have them.
    const anyOrigin = cors.allowedOrigins.includes('*');
    if (anyOrigin && cors.allowCredentials) {
      registry.logger.warn(
        'serve.public.cors: allowed_origins "*" never allows credentials; list the origins instead',
      );
    }
    const policy = compileCors(
      { ...cors, allowCredentials: cors.allowCredentials && !anyOrigin },
      cors.debug
        ? (refusal, origin) =>
            registry.logger.info({ origin, refusal }, 'serve.public.cors refused a request')
        : undefined,
    );
    if (policy !== undefined) {
      applyCors(app, policy);
      corsHeaders = (request) => policy.actual(request.method ?? 'GET', request.headers.origin);
    }
  }
  // The flows read and set cookies and take HTML forms; whoami and the rest do neither, so the
  // cookie and form plugins live in the flows' own scope and cost the hot path nothing (the
  // session cookie is read without them, see session/request-token.ts).
  await app.register(async (flows) => {
    keepOutOfCaches(flows);
    await flows.register(fastifyCookie);
    // HTML forms post application/x-www-form-urlencoded; repeated fields become arrays. A
    // FormData posted by script arrives as multipart/form-data, which Kratos takes too.
    await flows.register(fastifyFormbody);
    acceptMultipartForms(flows);
    // An error no flow can show sends a browser to the error UI; other clients get it as JSON.
    flows.setErrorHandler(reportErrorsToBrowsers(selfService.errors));
    await flows.register(selfServiceErrorRoutes(selfService.errors));
    await flows.register(loginRoutes(selfService.login));
    await flows.register(registrationRoutes(selfService.registration));
    await flows.register(logoutRoutes(selfService.logout));
    await flows.register(verificationRoutes(selfService.verification));
    await flows.register(recoveryRoutes(selfService.recovery));
    await flows.register(settingsRoutes(selfService.settings));
    if (selfService.oidc) await flows.register(oidcRoutes(selfService.oidc));
    // The built-in UI (off with ui.enabled: false, for teams with their own).
    await flows.register(uiRoutes(buildUiDeps(registry, selfService)));
  });
  // Failing checks are named without their reasons on the internet-facing port, as Kratos's
  // public listener (SetHealthRoutes(router, false)). /version stays here too (Kratos serves it
  // on admin only): clients of earlier Portcullis versions read it.
  await app.register(
    healthRoutes({ ready: observability.ready, version: VERSION, shareErrors: false, serveVersion: true }),
  );
  const tokens = {
    cookieName: registry.sessionConfig.cookie.name,
    cookieKeys: registry.config.secrets.cookie,
  };
  await app.register(
    publicSessionRoutes({
      sessions: registry.sessions,
      tokens,
      identityOf: (id) => registry.identityStore.get(id),
      tokenizer: buildSessionTokenizer(registry),
      cookie: registry.sessionConfig.cookie,
    }),
  );
  // whoami from memory answered before Fastify routes it (see installFastPath): the same answer.
  const fastPath = whoamiFastPath({
    sessions: registry.sessions,
    tokens,
    listenerHeaders: corsHeaders,
    record: observability.routeMetrics.rawRecorder(WHOAMI_PATH),
  });
  if (!installFastPath(app, fastPath, registry.logger)) {
    registry.logger.warn('whoami goes through Fastify: its request listener is not the one expected');
  }
  await app.register(identitySchemaRoutes(registry));
  // Kratos's public router sends the identity API to the admin listener (307).
  await app.register(adminRouteRedirects(registry.config.serve.admin.baseUrl));
  return app;
}

/** `GET /schemas[/{id}]`: on the public listener, and on the admin one (see buildAdminApp). */
function identitySchemaRoutes(registry: Registry) {
  return schemaRoutes({
    list: () => registry.schemas.list().map((s) => ({ id: s.id, document: s.document })),
    get: (id) => registry.schemas.get(id),
    listUrl: new URL('schemas', registry.config.serve.public.baseUrl).toString(),
  });
}

/** The admin listener: identities, sessions, courier, recovery codes, health, version and metrics. */
export async function buildAdminApp(
  registry: Registry,
  selfService: SelfService,
  observability: IdentityObservability = identityObservability(registry),
): Promise<FastifyInstance> {
  const app = createHttpServer({
    logger: registry.logger.child({ listener: 'admin' }),
    metrics: observability.routeMetrics,
  });
  keepOutOfCaches(app);
  const health = healthRoutes({
    ready: observability.ready,
    version: VERSION,
    shareErrors: true,
    serveVersion: true,
  });
  const metrics = metricsRoutes([processMetricsRegistry(), observability.metrics.registry]);
  const identityRoutes = adminIdentityRoutes({
    identities: registry.identities,
    schemaUrl: registry.identitySchemas.schemaUrl,
    externalIds: registry.identityStore,
    cipher: registry.cipher,
    adminBaseUrl: registry.config.serve.admin.baseUrl,
  });
  const sessionRoutes = adminSessionRoutes({
    sessions: registry.sessions,
    identities: registry.identityStore,
    fasterExtend: registry.sessionConfig.fasterExtend,
  });
  const courierRoutes = adminCourierRoutes({ courier: registry.courier, redactBodies: !registry.config.dev });
  // Kratos serves the admin API under /admin (httprouterx RouterAdmin), health, version and
  // metrics included (/admin/health/ready is what the Kratos Helm chart probes), and redirects
  // the root paths there; here both answer directly.
  for (const prefix of ['/admin', '']) {
    await app.register(health, { prefix });
    await app.register(metrics, { prefix });
    await app.register(identityRoutes, { prefix });
    await app.register(sessionRoutes, { prefix });
    await app.register(courierRoutes, { prefix });
    await app.register(adminRecoveryRoutes(selfService.recovery), { prefix });
    // Kratos's admin listener sends /schemas on to the public one (307); @ory/client's IdentityApi,
    // usually pointed at the admin URL, lists schemas there. Served here directly, same answer.
    await app.register(identitySchemaRoutes(registry), { prefix });
  }
  await app.register(publicRouteRedirects(registry.config.serve.public.baseUrl));
  return app;
}

/** The listeners `portcullis serve` can run (docs/proxy.md, "Listeners and roles"). */
export type ServeRole = 'public' | 'admin' | 'proxy' | 'api';

/** Whether `roles` include the identity side (public or admin): its config must carry Kratos's keys. */
export function hasIdentityRole(roles: ReadonlySet<ServeRole>): boolean {
  return roles.has('public') || roles.has('admin');
}

/** Every role the config enables: public and admin always, proxy and api as `proxyRoles` reads it. */
export function configuredRoles(document: Config['document']): ReadonlySet<ServeRole> {
  const proxy = proxyRoles(document);
  const roles = new Set<ServeRole>(['public', 'admin']);
  if (proxy.proxy) roles.add('proxy');
  if (proxy.api) roles.add('api');
  return roles;
}

export interface StartOptions {
  migrate?: boolean;
  /** Deliver the courier's outbox in this process; on by default with --dev. */
  watchCourier?: boolean;
  /** Tuning of the web hook outbox's worker (tests shorten its waits). */
  webhookWorker?: WorkerOverrides;
  /** Base of relative `file://` access-rule repositories and TLS files; the process's cwd unless set. */
  cwd?: string;
}

/** What runs for a given set of roles. */
export interface RunningRoles {
  roles: ReadonlySet<ServeRole>;
  /** The identity side; undefined when neither public nor admin runs (no database is opened). */
  registry: Registry | undefined;
  publicUrl: string | undefined;
  adminUrl: string | undefined;
  accessProxy: RunningAccessProxy | undefined;
  /** `serve.prometheus`'s listener, when the config has it and proxy or api runs. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens `serve.prometheus` (Oathkeeper's metrics listener) for the access-proxy roles, when the
 * config has the key: Oathkeeper's request metrics (`ory_oathkeeper_*`, which startAccessProxy's
 * listeners feed when given `metrics`) and the process's.
 */
export async function startProxyMetrics(
  document: KratosConfigDocument,
): Promise<{ metrics: OathkeeperMetrics; listener: MetricsListener } | undefined> {
  const settings = prometheusListenerSettings(document);
  if (settings === undefined) return undefined;
  const metrics = new OathkeeperMetrics(settings);
  const listener = await startMetricsListener(settings, [processMetricsRegistry(), metrics.registry]);
  return { metrics, listener };
}

/** Every role the config enables (the identity side always runs). */
export interface RunningPortcullis extends RunningRoles {
  registry: Registry;
  publicUrl: string;
  adminUrl: string;
}

/**
 * Opens the access-proxy roles only (`serve --roles proxy,api`), from a config loaded without
 * Kratos's required keys (`loadAccessConfig`): no database, no workers; `check_session_url`s
 * are answered over HTTP. `roles` may not include public or admin.
 */
export async function startAccessRoles(
  config: AccessConfig,
  logger: Logger,
  roles: ReadonlySet<ServeRole>,
  options: Pick<StartOptions, 'cwd'> = {},
): Promise<RunningRoles> {
  if (hasIdentityRole(roles)) throw new Error('startAccessRoles runs no identity role; use startRoles');
  const http = createOutboundHttp(outboundHttpConfig(config.document));
  let accessProxy: RunningAccessProxy | undefined;
  let proxyMetrics: Awaited<ReturnType<typeof startProxyMetrics>>;
  try {
    // Metrics first: the listeners record into them from their first request.
    proxyMetrics = await startProxyMetrics(config.document);
    accessProxy = await startAccessProxy(config.document, {
      http,
      logger,
      cwd: options.cwd ?? process.cwd(),
      roles: { proxy: roles.has('proxy'), api: roles.has('api') },
      ...(proxyMetrics ? { metrics: proxyMetrics.metrics } : {}),
    });
    logger.info(
      { roles: [...roles], metrics: proxyMetrics?.listener.url },
      'portcullis is listening (access proxy roles only)',
    );
    const running = accessProxy;
    return {
      roles,
      registry: undefined,
      publicUrl: undefined,
      adminUrl: undefined,
      accessProxy: running,
      metricsUrl: proxyMetrics?.listener.url,
      async close() {
        await Promise.allSettled([running?.close(), proxyMetrics?.listener.close()]);
        await http.close();
      },
    };
  } catch (error) {
    await Promise.allSettled([accessProxy?.close(), proxyMetrics?.listener.close()]);
    await http.close();
    throw error;
  }
}

/** Builds the registry and opens every listener the config enables. */
export async function startPortcullis(
  config: Config,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningPortcullis> {
  const running = await startRoles(config, logger, configuredRoles(config.document), options);
  const { registry, publicUrl, adminUrl } = running;
  if (registry === undefined || publicUrl === undefined || adminUrl === undefined) {
    await running.close();
    throw new Error('the identity side did not start');
  }
  return { ...running, registry, publicUrl, adminUrl };
}

/**
 * Opens the listeners of `roles` only. The identity side (database, workers, in-process
 * session checks) exists when public or admin runs; a proxy-only process checks sessions at
 * `check_session_url` over HTTP.
 */
export async function startRoles(
  config: Config,
  logger: Logger,
  roles: ReadonlySet<ServeRole>,
  options: StartOptions = {},
): Promise<RunningRoles> {
  if (!hasIdentityRole(roles)) return startAccessRoles(config, logger, roles, options);
  const accessRoles = { proxy: roles.has('proxy'), api: roles.has('api') };

  // Migrations run by themselves in dev, and on an in-memory database (as Kratos: it belongs to
  // this process, so no `portcullis migrate sql` could reach it); elsewhere that command runs them.
  const registry = await createRegistry(config, logger, {
    migrate: options.migrate ?? (config.dev || isInMemoryDsn(config.dsn)),
  });
  let selfService: SelfService;
  try {
    selfService = buildSelfService(registry);
  } catch (error) {
    // A config the self-service side refuses: what the registry opened (pools, workers) closes.
    await registry.close();
    throw error;
  }
  let publicApp: FastifyInstance | undefined;
  let adminApp: FastifyInstance | undefined;
  let courierWorker: CourierWorker | undefined;
  let webhookWorker: WebhookWorker | undefined;
  let accessProxy: RunningAccessProxy | undefined;
  let proxyMetrics: Awaited<ReturnType<typeof startProxyMetrics>>;
  const closeListeners = () =>
    Promise.allSettled([
      publicApp?.close(),
      adminApp?.close(),
      accessProxy?.close(),
      proxyMetrics?.listener.close(),
    ]);
  try {
    const observability = identityObservability(registry);
    if (roles.has('public')) publicApp = await buildPublicApp(registry, selfService, observability);
    if (roles.has('admin')) adminApp = await buildAdminApp(registry, selfService, observability);
    const publicUrl = await publicApp?.listen({
      host: config.serve.public.host,
      port: config.serve.public.port,
    });
    const adminUrl = await adminApp?.listen({ host: config.serve.admin.host, port: config.serve.admin.port });
    logger.info({ public: publicUrl, admin: adminUrl }, 'portcullis is listening');
    // Metrics first: the access-proxy listeners record into them from their first request.
    if (accessRoles.proxy || accessRoles.api) {
      proxyMetrics = await startProxyMetrics(config.document);
      accessProxy = await startAccessProxy(config.document, {
        http: registry.http,
        logger,
        cwd: options.cwd ?? process.cwd(),
        roles: accessRoles,
        sessionChecker: inProcessSessionChecker({
          sessions: registry.sessions,
          publicBaseUrl: config.serve.public.baseUrl.href,
          cookieName: registry.sessionConfig.cookie.name,
          cookieKeys: config.secrets.cookie,
        }),
        ...(proxyMetrics ? { metrics: proxyMetrics.metrics } : {}),
      });
    }
    if (options.watchCourier ?? config.dev) courierWorker = registry.courier.startWorker();
    // Kratos delivers web hooks in process: every serve runs the worker (rows are leased).
    webhookWorker = registry.webhookOutbox.startWorker(options.webhookWorker);
    return {
      roles,
      registry,
      publicUrl,
      adminUrl,
      accessProxy,
      metricsUrl: proxyMetrics?.listener.url,
      async close() {
        await closeListeners();
        await courierWorker?.stop();
        await webhookWorker?.stop();
        await selfService.close();
        await registry.close();
      },
    };
  } catch (error) {
    await closeListeners();
    await selfService.close();
    await registry.close();
    throw error;
  }
}
