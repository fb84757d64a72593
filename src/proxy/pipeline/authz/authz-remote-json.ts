import { type CompiledTemplate, compileTemplate } from '../../template/index.js';
import { internalError } from '../errors.js';
import { type Authorizer, oathkeeperDefinition, type Prepared } from '../handler.js';
import { templateData } from '../session.js';
import {
  askRemote,
  prepareRemoteAuthorizer,
  type RemoteAuthorizerConfig,
  remoteRequestHeaders,
} from './remote-call.js';

interface RemoteJsonConfig extends RemoteAuthorizerConfig {
  payload: CompiledTemplate;
}

/**
 * `remote_json`: renders the `payload` template against the session (`.Subject`, `.Extra`,
 * `.MatchContext`, ...) and POSTs it as `application/json` to `remote`, with the client's
 * `Authorization` and the `headers` templates; 200 allows, 403 forbids, anything else is a
 * 500. A payload that does not render to JSON is a 500, as in Oathkeeper.
 */
export const remoteJsonAuthorizer: Authorizer<RemoteJsonConfig> = {
  id: 'remote_json',
  configSchema: oathkeeperDefinition('configAuthorizersRemoteJSON'),
  prepare(raw, deps): Prepared<RemoteJsonConfig> {
    const shared = prepareRemoteAuthorizer(raw, deps, true);
    if (!shared.ok) return shared;
    const payload = compileTemplate(String(raw.payload ?? ''));
    if (!payload.ok) return { ok: false, message: `payload: ${payload.error.message}` };
    return { ok: true, config: { ...shared.config, payload: payload.template } };
  },
  async handle(request, session, config) {
    const rendered = config.payload.execute(templateData(session));
    if (!rendered.ok)
      return { kind: 'error', error: internalError(`payload template: ${rendered.error.message}`) };
    try {
      JSON.parse(rendered.value);
    } catch {
      return { kind: 'error', error: internalError('remote_json: the payload is not a JSON text') };
    }
    const headers = remoteRequestHeaders(request, session, config, 'application/json');
    if (headers.kind === 'error') return headers;
    return askRemote(session, config, headers.headers, rendered.value);
  },
};
