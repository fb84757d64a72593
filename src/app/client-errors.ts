import type { Socket } from 'node:net';
import { statusText } from '../kernel/errors.js';

/**
 * Largest request head accepted, 64 KiB (Node's default is 16): `GET /admin/identities?ids=…`
 * with the 500 ids Kratos allows is about 21 KB of URL. Go's servers, Kratos's included, take
 * up to 1 MiB; every byte of a head is held in memory until it is parsed, so not that much.
 */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Answers what Node's HTTP parser refuses before any route sees a request (a head over
 * MAX_HEADER_BYTES, a malformed request line, a head that arrives too slowly) in Kratos's error
 * shape, as every other error is, where Fastify's default writes a shape of its own.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection, or one already gone: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = clientErrorAnswer(error.code);
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, status: statusText(code), message } });
    socket.write(
      `HTTP/1.1 ${code} ${statusText(code)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

function clientErrorAnswer(code: string | undefined): [number, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'The request headers are too large.'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'The request did not arrive in time.'];
  return [400, 'The request was malformed or contained invalid parameters'];
}
