import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../../kernel/errors.js';
import type { CodeMethod } from '../../persistence/code-store.js';
import { publicUrl } from '../flow/request-url.js';
import { flowUiUrl } from '../flow/respond.js';
import { issueSecret, secretLink } from '../one-time/deliver.js';
import type { RecoveryDeps } from './deps.js';
import { expiresInMs } from './expires-in.js';
import { createRecoveryFlow, recoverySentForm } from './flow.js';
import { assertMethodEndpointEnabled } from './methods.js';

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
 * person in). Nothing is emailed; links are built on the configured public base URL. As Kratos
 * (strategy.IsDisabled), each endpoint depends on its method being enabled, not on
 * `selfservice.flows.recovery.enabled`: an operator may hand out invitations by recovery link
 * with self-service recovery off.
 */
export function adminRecoveryRoutes(deps: RecoveryDeps) {
  /** Before the body is read, as Kratos's wrapper answers before its handler decodes. */
  const methodEnabled = (method: CodeMethod) => async () => assertMethodEndpointEnabled(deps, method);

  async function identityFor(id: string) {
    const identity = await deps.identityById(id);
    if (!identity) throw notFound('The requested identity could not be found.');
    if (identity.state !== 'active') throw badRequest('The identity is inactive and can not be recovered.');
    return identity;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    const codeRoute = { schema: { body: codeBody }, preValidation: methodEnabled('code') };
    app.post('/recovery/code', codeRoute, async (request, reply) => {
      const body = request.body as CodeBody;
      const lifespanMs = expiresInMs(body.expires_in, deps.config.code.lifespanMs);
      const identity = await identityFor(body.identity_id);
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
        // The recovery UI itself, as Kratos's: the flow takes its code without a CSRF token.
        recovery_link: flowUiUrl(deps.config.recovery.uiUrl, flow.id),
        recovery_code: code,
        expires_at: flow.expires_at.toISOString(),
      });
    });

    const linkRoute = { schema: { body: linkBody }, preValidation: methodEnabled('link') };
    app.post('/recovery/link', linkRoute, async (request, reply) => {
      const body = request.body as CodeBody;
      const lifespanMs = expiresInMs(body.expires_in, deps.config.link.lifespanMs);
      const identity = await identityFor(body.identity_id);
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
