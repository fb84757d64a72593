import { internalError } from '../errors.js';
import { type Authorizer, oathkeeperDefinition } from '../handler.js';
import { requestHeader } from '../session.js';
import {
  askRemote,
  prepareRemoteAuthorizer,
  type RemoteAuthorizerConfig,
  remoteRequestHeaders,
} from './remote-call.js';

/**
 * Largest request body `remote` forwards. Oathkeeper reads bodies without a limit; we keep the
 * bytes for the upstream too, so a larger body fails the request instead of filling memory.
 */
export const REMOTE_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * `remote`: POSTs the request's body (with its `Content-Type` and `Authorization`) to `remote`,
 * plus the `headers` templates; 200 allows, 403 forbids, anything else is a 500. The body is
 * read once and kept, so the upstream still receives it.
 */
export const remoteAuthorizer: Authorizer<RemoteAuthorizerConfig> = {
  id: 'remote',
  configSchema: oathkeeperDefinition('configAuthorizersRemote'),
  // Oathkeeper streams the body to the remote (an io.Pipe), so Go cannot repeat it on a 307/308.
  prepare: (raw, deps) => prepareRemoteAuthorizer(raw, deps, false),
  async handle(request, session, config) {
    const body = request.body === undefined ? undefined : await request.body.read(REMOTE_BODY_LIMIT_BYTES);
    if (body?.kind === 'too_large')
      return {
        kind: 'error',
        error: internalError(`remote authorizer: request body larger than ${body.limit} bytes`),
      };
    if (body?.kind === 'failed')
      return { kind: 'error', error: internalError(`remote authorizer: ${body.reason}`) };
    const headers = remoteRequestHeaders(request, session, config, requestHeader(request, 'content-type'));
    if (headers.kind === 'error') return headers;
    return askRemote(session, config, headers.headers, body?.bytes ?? Buffer.alloc(0));
  },
};
