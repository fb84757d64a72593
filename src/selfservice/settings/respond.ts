import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/model.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { wantsJson } from '../flow/http-context.js';
import { type ContinueWith, flowUiUrl } from '../flow/respond.js';
import type { SettingsDeps } from './deps.js';
import { serializeSettingsFlow } from './serialize.js';

/**
 * A settings flow to show: native apps and SPAs get its JSON with `status` (200, or 400 when the
 * person must fix something), browsers a 303 to the settings UI.
 */
export function respondWithSettingsFlow(
  deps: Pick<SettingsDeps, 'schemas' | 'config'>,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  identity: Identity,
  options: { status?: 200 | 400; continueWith?: readonly ContinueWith[] } = {},
): FastifyReply {
  if (flow.type === 'api' || wantsJson(request)) {
    return reply
      .code(options.status ?? 200)
      .send(
        serializeSettingsFlow(
          flow,
          identity,
          deps.schemas.schemaUrl(identity.schema_id),
          options.continueWith,
        ),
      );
  }
  return reply.redirect(flowUiUrl(deps.config.settings.uiUrl, flow.id), 303);
}
