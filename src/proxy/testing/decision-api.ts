import { request } from 'node:http';
import type { KratosConfigDocument } from '../../config/index.js';
import { createOutboundHttp } from '../../kernel/http-client.js';
import { type Logger, silentLogger } from '../../kernel/logger.js';
import { type RunningAccessProxy, startAccessProxy } from '../server.js';

/** One HTTP answer, as a client sees it. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP/1.1 exchange with a real listener. */
export function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Starts the access proxy's API listener (the decision API) on a free port for `document`, with
 * an outbound client that may reach 127.0.0.1 (the test's own servers).
 */
export async function startDecisionApi(
  document: KratosConfigDocument,
  logger: Logger = silentLogger(),
): Promise<RunningAccessProxy & { apiUrl: string }> {
  const running = await startAccessProxy(
    {
      ...document,
      serve: { ...document.serve, api: { host: '127.0.0.1', port: 0 } },
    } as KratosConfigDocument,
    {
      http: createOutboundHttp({ disallowPrivateIpRanges: false }),
      logger,
      cwd: process.cwd(),
      roles: { proxy: false, api: true },
    },
  );
  if (running?.apiUrl === undefined) throw new Error('the access proxy API did not start');
  return running as RunningAccessProxy & { apiUrl: string };
}
