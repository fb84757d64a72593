/**
 * The request body as both listeners offer it to the pipeline: read on demand, at most once
 * (pipeline/session.ts), and whatever is left of it discarded after the answer.
 */

import type { IncomingMessage } from 'node:http';
import { type RequestBody, streamedRequestBody } from './pipeline/session.js';

/**
 * The body a request declares (`Content-Length` above 0, or `Transfer-Encoding`), for the
 * pipeline to read on demand; undefined when it has none (then nothing is allocated).
 */
export function requestBodyOf(req: IncomingMessage): RequestBody | undefined {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0'))
    return undefined;
  // Node's parser has refused any Content-Length that is not a plain number.
  return streamedRequestBody(req, length === undefined ? undefined : Number(length));
}

/**
 * After answering: drops whatever is left of the request body, so a keep-alive connection can
 * carry the next request. A body a handler stopped reading (over its limit) is paused, and Node
 * only discards bodies nobody started to read. `serve.<listener>.timeout.read` bounds the wait.
 */
export function discardUnreadBody(req: IncomingMessage): void {
  if (!req.readableEnded && !req.destroyed) req.resume();
}
