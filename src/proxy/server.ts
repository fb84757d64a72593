/**
 * The access proxy's listeners: the reverse proxy (`serve.proxy`, 4455) and the API
 * (`serve.api`, 4456: `/decisions/*`, `GET /rules`, `GET /rules/{id}`, `/health/*`, and the
 * JWKS route when one is plugged in).
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { createHttpServer } from '../app/http.js';
import type { KratosConfigDocument } from '../config/index.js';
import type { OutboundHttp } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import { type AccessControl, createAccessControl, pipelineGlobalConfig, proxyRoles } from './access.js';
import { type ApiListenerSettings, apiListenerSettings, proxyListenerSettings } from './config.js';
import { decisionRoutes, jsonError } from './decision.js';
import { idTokenJwksUrls, jwksRoutes, jwksStoreFor } from './jwks/index.js';
import type { HandlerRegistry, SessionChecker } from './pipeline/index.js';
import { createReverseProxy, type ReverseProxy } from './reverse-proxy.js';

export interface ApiAppOptions {
  access: AccessControl;
  logger: Logger;
  /** `GET /.well-known/jwks.json` and friends, registered by the JWKS module when present. */
  jwksRoutes?: FastifyPluginAsync;
}

/** The API listener (decision API, rules, health; JWKS when `jwksRoutes` is given). */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = createHttpServer({ logger: options.logger.child({ listener: 'proxy-api' }) });
  const { access } = options;
  app.get('/health/alive', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/rules', async (request) => {
    const query = request.query as { limit?: string; offset?: string };
    const all = access.repository.rules();
    const offset = Math.max(0, Number.parseInt(query.offset ?? '0', 10) || 0);
    const limit = Math.max(0, Number.parseInt(query.limit ?? String(all.length), 10) || all.length);
    return all.slice(offset, offset + limit);
  });
  app.get('/rules/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const rule = access.repository.get(id);
    if (rule !== undefined) return rule;
    const answer = jsonError(404, 'Not Found', 'Unable to find rule');
    return reply.code(404).headers(answer.headers).send(answer.body);
  });
  await app.register(decisionRoutes(access));
  if (options.jwksRoutes !== undefined) await app.register(options.jwksRoutes);
  return app;
}

/** The reverse-proxy listener; a bare `node:http` server (see reverse-proxy.ts). */
export function buildProxyServer(proxy: ReverseProxy, timeouts: ApiListenerSettings['timeout']): Server {
  return createServer(
    {
      requestTimeout: timeouts.readMs,
      headersTimeout: Math.min(timeouts.readMs, 60_000),
      keepAliveTimeout: timeouts.idleMs,
    },
    (req, res) => proxy.handle(req, res),
  );
}

export interface AccessProxyDeps {
  http: OutboundHttp;
  logger: Logger;
  cwd: string;
  sessionChecker?: SessionChecker;
  handlers?: HandlerRegistry;
  jwksRoutes?: FastifyPluginAsync;
}

export interface RunningAccessProxy {
  access: AccessControl;
  /** `http://host:port` of each running role. */
  proxyUrl: string | undefined;
  apiUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Loads the access rules and starts the roles the config asks for (see `proxyRoles`):
 * undefined when neither runs.
 */
export async function startAccessProxy(
  document: KratosConfigDocument,
  deps: AccessProxyDeps,
): Promise<RunningAccessProxy | undefined> {
  const roles = proxyRoles(document);
  if (!roles.proxy && !roles.api) return undefined;
  const access = await createAccessControl(document, {
    http: deps.http,
    logger: deps.logger,
    cwd: deps.cwd,
    ...(deps.sessionChecker ? { sessionChecker: deps.sessionChecker } : {}),
    ...(deps.handlers ? { handlers: deps.handlers } : {}),
  });
  let proxyServer: Server | undefined;
  let reverseProxy: ReverseProxy | undefined;
  let apiApp: FastifyInstance | undefined;
  const close = async (): Promise<void> => {
    await Promise.allSettled([
      apiApp?.close(),
      proxyServer === undefined
        ? undefined
        : new Promise<void>((resolve) => {
            proxyServer?.close(() => resolve());
            proxyServer?.closeAllConnections();
          }),
    ]);
    await reverseProxy?.close();
    access.close();
  };
  try {
    let proxyUrl: string | undefined;
    let apiUrl: string | undefined;
    if (roles.proxy) {
      const settings = proxyListenerSettings(document);
      reverseProxy = createReverseProxy({
        access,
        settings,
        logger: deps.logger.child({ listener: 'proxy' }),
      });
      const server = buildProxyServer(reverseProxy, settings.timeout);
      proxyServer = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const host = settings.host === '' ? undefined : settings.host;
        server.listen({ port: settings.port, ...(host !== undefined ? { host } : {}) }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      proxyUrl = listenerUrl(server.address() as AddressInfo);
    }
    if (roles.api) {
      const settings = apiListenerSettings(document);
      apiApp = await buildApiApp({
        access,
        logger: deps.logger,
        // The public keys of every id_token key set in use (global and per rule, re-read on
        // each request so reloaded rules count), from the store the mutators sign with.
        jwksRoutes:
          deps.jwksRoutes ??
          jwksRoutes({
            store: jwksStoreFor(deps.http),
            urls: () => idTokenJwksUrls(pipelineGlobalConfig(document), access.repository.rules()),
          }),
      });
      apiUrl = await apiApp.listen({
        host: settings.host === '' ? '0.0.0.0' : settings.host,
        port: settings.port,
      });
    }
    deps.logger.info(
      { proxy: proxyUrl, api: apiUrl, rules: access.repository.rules().length },
      'access proxy is listening',
    );
    return { access, proxyUrl, apiUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function listenerUrl(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
