/**
 * The access proxy's listeners: the reverse proxy (`serve.proxy`, 4455, WebSocket upgrades
 * included) and the API (`serve.api`, 4456: `/decisions/*`, `GET /rules`, `GET /rules/{id}`,
 * `/health/*`, and the JWKS route). Each takes its listener's `cors`, `tls` and `timeout`.
 */

import type { RequestListener } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createHttpServer } from '../app/http.js';
import type { KratosConfigDocument } from '../config/index.js';
import type { OutboundHttp } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import {
  type OathkeeperMetrics,
  type OathkeeperService,
  observeRequests,
} from '../observability/oathkeeper-metrics.js';
import { type AccessControl, createAccessControl, pipelineGlobalConfig, proxyRoles } from './access.js';
import { type ApiListenerSettings, apiListenerSettings, proxyListenerSettings } from './config.js';
import { applyCors, type CorsPolicy, compileCors } from './cors.js';
import { decisionRoutes, jsonError } from './decision.js';
import { createDecisionListener } from './decision-listener.js';
import { idTokenJwksUrls, jwksRoutes, jwksStoreFor } from './jwks/index.js';
import { type Listener, listen } from './listener.js';
import { proxyOutbound } from './outbound.js';
import type { HandlerRegistry, SessionChecker } from './pipeline/index.js';
import { createReverseProxy, type ReverseProxy } from './reverse-proxy.js';
import { ruleJson, rulesPage } from './rules/rule-json.js';
import { loadTlsCredentials, type TlsCredentials } from './tls.js';
import { createUpgradeProxy, type UpgradeProxy } from './upgrade.js';

export interface ApiAppOptions {
  access: AccessControl;
  logger: Logger;
  /** `GET /.well-known/jwks.json` and friends, registered by the JWKS module when present. */
  jwksRoutes?: FastifyPluginAsync;
  /** `serve.api.cors`, compiled; undefined when off. */
  cors?: CorsPolicy | undefined;
}

/** The API listener (decision API, rules, health; JWKS when `jwksRoutes` is given). */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = createHttpServer({ logger: options.logger.child({ listener: 'proxy-api' }) });
  const { access, cors } = options;
  if (cors !== undefined) applyCors(app, cors);
  app.get('/health/alive', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  // As Oathkeeper's `rules_loaded` check: a proxy with no rule can only refuse, so it is not
  // ready (a load balancer keeps sending to the replicas that have their rules).
  app.get('/health/ready', { logLevel: 'warn' }, async (_request, reply) => {
    if (access.repository.rules().length > 0) return { status: 'ok' };
    return reply.code(503).send({ errors: { rules_loaded: 'No rules found.' } });
  });
  // As Oathkeeper's api/rule.go: valid rules only, 50 a page unless `limit` says (at most 500).
  app.get('/rules', async (request) => {
    const all = access.repository.rules();
    const queryAt = request.url.indexOf('?');
    const query = new URLSearchParams(queryAt < 0 ? '' : request.url.slice(queryAt + 1));
    const [start, end] = rulesPage(query, all.length);
    return all.slice(start, end).map(ruleJson);
  });
  // The first valid rule with the id; none is helper.ErrResourceNotFound.
  app.get('/rules/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const rule = access.repository.get(id);
    if (rule !== undefined) return ruleJson(rule);
    const answer = jsonError(404, 'Not Found', 'The requested resource could not be found');
    return reply.code(404).headers(answer.headers).send(answer.body);
  });
  await app.register(decisionRoutes(access));
  if (options.jwksRoutes !== undefined) await app.register(options.jwksRoutes);
  return app;
}

export interface AccessProxyDeps {
  http: OutboundHttp;
  logger: Logger;
  /** Base of relative `file://` rule repositories and `tls.*.path` files. */
  cwd: string;
  /** Answers `check_session_url`s that point at this process's whoami (identity roles only). */
  sessionChecker?: SessionChecker;
  handlers?: HandlerRegistry;
  jwksRoutes?: FastifyPluginAsync;
  /** Which roles to run; what the config asks for (`proxyRoles`) unless set. */
  roles?: { proxy: boolean; api: boolean };
  /**
   * `serve.prometheus`'s request families: each listener's requests are recorded there, as
   * Oathkeeper's metrics middleware does (cmd/server: NewMiddleware(prom, "oathkeeper-proxy") on
   * the proxy, "oathkeeper-api" on the API). Nothing is recorded without it.
   */
  metrics?: OathkeeperMetrics;
}

export interface RunningAccessProxy {
  access: AccessControl;
  /** `http(s)://host:port` of each running role. */
  proxyUrl: string | undefined;
  apiUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Loads the access rules and starts the roles asked for (`deps.roles`, else `proxyRoles`):
 * undefined when neither runs.
 */
export async function startAccessProxy(
  document: KratosConfigDocument,
  deps: AccessProxyDeps,
): Promise<RunningAccessProxy | undefined> {
  const roles = deps.roles ?? proxyRoles(document);
  if (!roles.proxy && !roles.api) return undefined;
  // TLS files are read before anything loads or listens: a bad pair stops the start at once.
  const proxySettings = proxyListenerSettings(document);
  const apiSettings = apiListenerSettings(document);
  const proxyTls = roles.proxy ? await tlsOf('proxy', proxySettings, deps.cwd) : undefined;
  const apiTls = roles.api ? await tlsOf('api', apiSettings, deps.cwd) : undefined;
  const access = await createAccessControl(document, {
    http: deps.http,
    logger: deps.logger,
    cwd: deps.cwd,
    ...(deps.sessionChecker ? { sessionChecker: deps.sessionChecker } : {}),
    ...(deps.handlers ? { handlers: deps.handlers } : {}),
  });
  let proxyListener: Listener | undefined;
  let reverseProxy: ReverseProxy | undefined;
  let upgradeProxy: UpgradeProxy | undefined;
  let apiApp: FastifyInstance | undefined;
  let apiListener: Listener | undefined;
  const close = async (): Promise<void> => {
    upgradeProxy?.close();
    await Promise.allSettled([proxyListener?.close(), apiListener?.close()]);
    await apiApp?.close();
    await reverseProxy?.close();
    access.close();
  };
  try {
    if (roles.proxy) {
      const logger = deps.logger.child({ listener: 'proxy' });
      const proxy = createReverseProxy({
        access,
        settings: proxySettings,
        logger,
        cors: corsPolicy('proxy', proxySettings, logger),
      });
      const upgrades = createUpgradeProxy({ access, settings: proxySettings, logger });
      reverseProxy = proxy;
      upgradeProxy = upgrades;
      proxyListener = await listen(
        proxySettings,
        proxyTls,
        observed(deps.metrics, 'oathkeeper-proxy', (req, res) => proxy.handle(req, res)),
      );
      proxyListener.server.on('upgrade', (req, socket, head) => upgrades.handle(req, socket, head));
    }
    if (roles.api) {
      const apiLogger = deps.logger.child({ listener: 'proxy-api' });
      const apiCors = corsPolicy('api', apiSettings, apiLogger);
      const app = await buildApiApp({
        access,
        logger: deps.logger,
        cors: apiCors,
        // The public keys of every id_token key set in use (global and per rule, re-read on
        // each request so reloaded rules count), from the store the mutators sign with.
        jwksRoutes:
          deps.jwksRoutes ??
          jwksRoutes({
            // The store the jwt and id_token handlers use: the same client (outbound.ts memoizes it).
            store: jwksStoreFor(proxyOutbound(deps.http).http),
            urls: () => idTokenJwksUrls(pipelineGlobalConfig(document), access.repository.rules()),
          }),
      });
      apiApp = app;
      await app.ready();
      // Our own server (TLS, serve.api.timeout): plain decisions are served by a bare handler
      // (decision-listener.ts), everything else goes to Fastify's documented entry.
      const decisions = createDecisionListener({ access, logger: apiLogger, cors: apiCors });
      apiListener = await listen(
        apiSettings,
        apiTls,
        observed(deps.metrics, 'oathkeeper-api', (req, res) => {
          if (!decisions.handle(req, res)) app.routing(req, res);
        }),
      );
    }
    deps.logger.info(
      { proxy: proxyListener?.url, api: apiListener?.url, rules: access.repository.rules().length },
      'access proxy is listening',
    );
    return { access, proxyUrl: proxyListener?.url, apiUrl: apiListener?.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The listener, recording each request in `metrics` when given. WebSocket upgrades bypass it:
 * they reach the server's 'upgrade' event, not its request listener.
 */
function observed(
  metrics: OathkeeperMetrics | undefined,
  service: OathkeeperService,
  listener: RequestListener,
): RequestListener {
  return metrics === undefined ? listener : observeRequests(metrics.service(service), listener);
}

async function tlsOf(
  name: 'proxy' | 'api',
  settings: ApiListenerSettings,
  cwd: string,
): Promise<TlsCredentials | undefined> {
  return settings.tls === undefined ? undefined : loadTlsCredentials(name, settings.tls, cwd);
}

function corsPolicy(name: 'proxy' | 'api', settings: ApiListenerSettings, logger: Logger) {
  const { cors } = settings;
  if (cors.enabled && cors.allowCredentials && cors.allowedOrigins.includes('*'))
    logger.warn(
      `serve.${name}.cors: allowed_origins "*" is answered with a literal "*", which browsers never combine with credentials; list the origins instead`,
    );
  return compileCors(
    cors,
    cors.debug
      ? (refusal, origin) => logger.info({ origin, refusal }, `serve.${name}.cors refused a request`)
      : undefined,
  );
}
