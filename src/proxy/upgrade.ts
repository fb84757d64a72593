/**
 * WebSocket upgrades through the proxy (Node's `upgrade` event on the 4455 listener).
 *
 * The handshake is a request like any other: it is matched and runs its rule's pipeline
 * (forward.ts); a refusal is the error handler's HTTP answer to the handshake, and nothing
 * reaches the upstream. An allowed handshake goes to the upstream with the mutated headers,
 * hop-by-hop headers dropped except `Connection: Upgrade` and `Upgrade` themselves. On the
 * upstream's `101` both sockets are piped to each other; any other answer is relayed and the
 * connection closed. An error on either side destroys both.
 *
 * Other `Upgrade` protocols (`h2c`, ...) are ignored, as a server may: the request is
 * forwarded without them and answered over HTTP/1.1 on a connection that then closes.
 *
 * Timeouts: connecting to the upstream (UPSTREAM_CONNECT_TIMEOUT_MS) and its answer to the
 * handshake (`serve.proxy.timeout.write`) answer 504. An open tunnel has no timeout: WebSocket
 * connections are long-lived and keep themselves alive with pings.
 */

import {
  type ClientRequest,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../kernel/logger.js';
import type { AccessControl } from './access.js';
import type { ProxyListenerSettings } from './config.js';
import { type HttpAnswer, jsonError } from './decision.js';
import { planForward, type UpstreamTarget } from './forward.js';
import { HOP_BY_HOP, listedInConnection } from './headers.js';
import { destroyAfterEnd, rawHead, writeRawAnswer } from './raw-http.js';
import {
  badGateway,
  gatewayTimeout,
  UPSTREAM_CONNECT_TIMEOUT_MS,
  UPSTREAM_MAX_HEADER_BYTES,
} from './reverse-proxy.js';

export interface UpgradeProxyOptions {
  access: AccessControl;
  settings: Pick<ProxyListenerSettings, 'trustForwardedHeaders' | 'timeout'>;
  logger: Logger;
}

export interface UpgradeProxy {
  /** The listener's `upgrade` event. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Destroys every open tunnel (the HTTP server's close does not see them). */
  close(): void;
}

export function createUpgradeProxy(options: UpgradeProxyOptions): UpgradeProxy {
  const { access, settings, logger } = options;
  const open = new Set<Duplex>();
  const track = (socket: Duplex): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };

  async function serve(req: IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    if (hasBody(req.headers))
      return writeRawAnswer(client, jsonError(400, 'Bad Request', 'an upgrade request cannot carry a body'));
    // No body for the pipeline either: an upgrade's body never ends (`remote` sends none).
    const plan = await planForward(access, settings, req);
    if (client.destroyed) return;
    if (plan.kind === 'answer') return writeRawAnswer(client, plan.answer);
    const websocket = isWebSocket(req.headers.upgrade);
    const headers = plan.headers;
    if (websocket) {
      headers.connection = 'Upgrade';
      headers.upgrade = String(req.headers.upgrade);
    }
    const upstream = upstreamRequest(plan.target, req.method ?? 'GET', headers);
    let answered = false;
    const fail = (answer: HttpAnswer, error?: unknown): void => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      logger.warn(
        { err: error, rule: plan.rule.id, upstream: plan.target.origin },
        'upstream upgrade failed',
      );
      upstream.destroy();
      writeRawAnswer(client, answer);
    };
    // Connecting first, then the upstream's answer to the handshake.
    let deadline = setTimeout(() => fail(gatewayTimeout()), UPSTREAM_CONNECT_TIMEOUT_MS);
    upstream.once('socket', (socket: Socket) => {
      socket.once('connect', () => {
        clearTimeout(deadline);
        if (!answered) deadline = setTimeout(() => fail(gatewayTimeout()), settings.timeout.writeMs);
      });
    });
    upstream.on('error', (error) => fail(badGateway(), error));
    client.once('close', () => {
      if (!answered) {
        answered = true;
        clearTimeout(deadline);
        upstream.destroy();
      }
    });

    upstream.once('upgrade', (res: IncomingMessage, tunnel: Duplex, tunnelHead: Buffer) => {
      if (answered || client.destroyed) {
        tunnel.destroy();
        return;
      }
      answered = true;
      clearTimeout(deadline);
      track(tunnel);
      const lines = responseHeaders(res, true);
      client.write(rawHead(101, lines), 'latin1');
      if (tunnelHead.length > 0) client.write(tunnelHead);
      if (head.length > 0) tunnel.write(head);
      pipeBoth(client, tunnel);
    });
    upstream.once('response', (res: IncomingMessage) => {
      if (answered) {
        res.destroy();
        return;
      }
      answered = true;
      clearTimeout(deadline);
      // Relayed as is, then the connection closes: it never carries a second request.
      const lines = responseHeaders(res, false);
      lines.push(['connection', 'close']);
      client.write(rawHead(res.statusCode ?? 502, lines), 'latin1');
      res.on('error', () => client.destroy());
      destroyAfterEnd(client);
      res.pipe(client);
    });
    upstream.end();
  }

  return {
    handle(req, socket, head) {
      track(socket);
      // Errors on a socket with no listener would throw; a reset here is the client leaving.
      socket.on('error', (error) => {
        logger.debug({ err: error }, 'upgrade: client socket error');
        socket.destroy();
      });
      (socket as Socket).setNoDelay?.(true);
      serve(req, socket, head).catch((error: unknown) => {
        logger.error({ err: error }, 'proxy upgrade failed');
        writeRawAnswer(socket, jsonError(500, 'Internal Server Error', 'An internal server error occurred'));
      });
    },
    close() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

function upstreamRequest(
  target: UpstreamTarget,
  method: string,
  headers: Record<string, string | string[]>,
): ClientRequest {
  const url = new URL(target.origin);
  const https = url.protocol === 'https:';
  // URL.hostname keeps an IPv6 literal's brackets; sockets want the bare address.
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const options = {
    hostname,
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    path: target.path,
    method,
    headers,
    // A fresh connection: an upgraded socket leaves any pool anyway.
    agent: false as const,
    // The upstream's answer to the handshake may be as large as a plain answer's head.
    maxHeaderSize: UPSTREAM_MAX_HEADER_BYTES,
    // SNI carries names only, never an IP address.
    ...(https && isIP(hostname) === 0 ? { servername: hostname } : {}),
  };
  return https ? httpsRequest(options) : httpRequest(options);
}

/** The upstream's headers minus hop-by-hop ones; a 101 keeps its `Upgrade` and `Connection`. */
function responseHeaders(res: IncomingMessage, switching: boolean): Array<readonly [string, string]> {
  const lines: Array<readonly [string, string]> = [];
  const connectionListed = listedInConnection(res.headers.connection);
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const lower = name.toLowerCase();
    if (switching && (lower === 'upgrade' || lower === 'connection')) continue;
    if (HOP_BY_HOP.has(lower) || connectionListed.has(lower)) continue;
    lines.push([name, raw[i + 1] ?? '']);
  }
  if (switching)
    lines.push(['Connection', 'Upgrade'], ['Upgrade', String(res.headers.upgrade ?? 'websocket')]);
  return lines;
}

/** Pipes both ways; either side closing or failing destroys the other. */
function pipeBoth(a: Duplex, b: Duplex): void {
  (b as Socket).setNoDelay?.(true);
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  b.on('error', destroyBoth);
  a.on('error', destroyBoth);
  a.once('close', destroyBoth);
  b.once('close', destroyBoth);
  a.pipe(b);
  b.pipe(a);
}

function isWebSocket(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const token of value.split(',')) if (token.trim().toLowerCase() === 'websocket') return true;
  return false;
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
