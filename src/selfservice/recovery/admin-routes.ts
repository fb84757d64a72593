import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../kernel/duration.js';
import { badRequest, notFound } from '../../kernel/errors.js';
import { publicUrl } from '../flow/request-url.js';
import { issueSecret, secretLink } from '../one-time/deliver.js';
import type { RecoveryDeps } from './deps.js';
import { createRecoveryFlow, recoverySentForm } from './flow.js';

const codeBody = {
  type: 'object',
  required: ['identity_id'],
  properties: {
    identity_id: { type: 'string', format: 'uuid' },
    expires_in: { type: 'string' },
    flow_type: { type: 'string', enum: ['api', 'browser'] },
  },
} as const;

const linkBody = {
  type: 'object',
  required: ['identity_id'],
  properties: {
    identity_id: { type: 'string', format: 'uuid' },
    expires_in: { type: 'string' },
  },
} as const;

interface CodeBody {
  identity_id: string;
  expires_in?: string;
  flow_type?: 'api' | 'browser';
}

/**
 * Kratos's admin recovery: `POST /admin/recovery/code` (a code and the link to the flow that
 * takes it, for an admin to hand over) and `POST /admin/recovery/link` (a link that signs the
 * person in). Nothing is emailed; links are built on the configured public base URL.
 */
export function adminRecoveryRoutes(deps: RecoveryDeps) {
  function lifespan(expiresIn: string | undefined, fallbackMs: number): number {
    if (expiresIn === undefined) return fallbackMs;
    const ms = parseDuration(expiresIn);
    if (ms === undefined || ms <= 0) {
      throw badRequest(`expires_in must be a positive duration such as "1h" or "15m", not "${expiresIn}".`);
    }
    return ms;
  }

  async function identityFor(id: string) {
    if (!deps.config.recovery.enabled) throw badRequest('Recovery is not allowed because it was disabled.');
    const identity = await deps.identityById(id);
    if (!identity) throw notFound('The requested identity could not be found.');
    if (identity.state !== 'active') throw badRequest('The identity is inactive and can not be recovered.');
    return identity;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.post('/recovery/code', { schema: { body: codeBody } }, async (request, reply) => {
      const body = request.body as CodeBody;
      const identity = await identityFor(body.identity_id);
      const lifespanMs = lifespan(body.expires_in, deps.config.code.lifespanMs);
      const type = body.flow_type ?? 'browser';
      const flow = await createRecoveryFlow(deps, {
        type,
        requestUrl: publicUrl(deps.publicBase, 'self-service/recovery'),
        returnTo: null,
        lifespanMs,
      });
      const form = recoverySentForm('code', type, '', '');
      await deps.flows.update({
        ...flow,
        state: 'sent_email',
        active: 'code',
        internal: { ...flow.internal, method: 'code' },
        ui: { ...flow.ui, nodes: form.nodes },
      });
      const code = await issueSecret(
        deps,
        {
          kind: 'recovery',
          method: 'code',
          flowId: flow.id,
          identityId: identity.id,
          address: '',
          expiresAt: flow.expires_at,
        },
        { queue: false },
      );
      return reply.code(201).send({
        // Through the public submit URL, which gives the browser its CSRF cookie and opens the UI.
        recovery_link: publicUrl(deps.publicBase, `self-service/recovery?flow=${flow.id}`),
        recovery_code: code,
        expires_at: flow.expires_at.toISOString(),
      });
    });

    app.post('/recovery/link', { schema: { body: linkBody } }, async (request, reply) => {
      const body = request.body as CodeBody;
      const identity = await identityFor(body.identity_id);
      const lifespanMs = lifespan(body.expires_in, deps.config.link.lifespanMs);
      const flow = await createRecoveryFlow(deps, {
        type: 'browser',
        requestUrl: publicUrl(deps.publicBase, 'self-service/recovery'),
        returnTo: null,
        lifespanMs,
      });
      await deps.flows.update({
        ...flow,
        state: 'sent_email',
        active: 'link',
        internal: { ...flow.internal, method: 'link' },
      });
      const token = await issueSecret(
        deps,
        {
          kind: 'recovery',
          method: 'link',
          flowId: flow.id,
          identityId: identity.id,
          address: '',
          expiresAt: flow.expires_at,
        },
        { queue: false },
      );
      return reply.send({
        recovery_link: secretLink(deps, { kind: 'recovery', method: 'link', flowId: flow.id }, token),
        expires_at: flow.expires_at.toISOString(),
      });
    });
  };
}
