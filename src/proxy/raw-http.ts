/**
 * HTTP/1.1 response heads written straight to a socket: after Node's `upgrade` event the
 * socket no longer belongs to the HTTP server, so there is no ServerResponse to write with.
 */

import { STATUS_CODES, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpAnswer } from './decision.js';

/** A response head; a header may repeat (several `Set-Cookie`). */
export function rawHead(status: number, headers: ReadonlyArray<readonly [string, string]>): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const [name, value] of headers) {
    // Values come from parsed upstream answers or from error handlers; a CR/LF must never
    // reach the wire (response splitting), so anything Node would refuse is left out.
    if (!isValidHeader(name, value)) continue;
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

/** How long a peer may keep a connection open after our last byte (a half-open socket is freed). */
const CLOSE_GRACE_MS = 5_000;

/** Writes a whole answer and closes the connection (it never carries a second request). */
export function writeRawAnswer(socket: Duplex, answer: HttpAnswer): void {
  if (socket.destroyed || !socket.writable) return;
  const body = Buffer.from(answer.body, 'utf8');
  const headers: Array<readonly [string, string]> = Object.entries(answer.headers);
  headers.push(['content-length', String(body.length)], ['connection', 'close']);
  destroyAfterEnd(socket);
  socket.end(Buffer.concat([Buffer.from(rawHead(answer.status, headers), 'latin1'), body]));
}

/**
 * Once our side has ended, the peer gets CLOSE_GRACE_MS to read and close its side; then the
 * socket is destroyed, so that a client that never closes cannot hold it open.
 */
export function destroyAfterEnd(socket: Duplex): void {
  socket.once('finish', () => {
    const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

function isValidHeader(name: string, value: string): boolean {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    return true;
  } catch {
    return false;
  }
}
