import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Identity } from '../../identity/model.js';
import { notFound } from '../../kernel/errors.js';
import { noActiveSession } from '../../session/errors.js';
import type { Authenticated } from '../../session/manager.js';
import { decodeCsrfCookie } from '../flow/csrf.js';
import { refreshCsrfNode } from '../flow/csrf-node.js';
import { isFlowExpired, type SelfServiceFlow } from '../flow/flow.js';
import { expiredOnFetch } from '../flow/flow-steps.js';
import { csrfBinding, csrfTokenFor, ensureCsrfSecret, wantsJson } from '../flow/http-context.js';
import { publicRequestUrl } from '../flow/request-url.js';
import { abortSettingsChange } from './continuity.js';
import type { SettingsDeps } from './deps.js';
import { flowOfAnotherIdentity } from './errors.js';
import { createSettingsFlow, flowIdentityId } from './flow.js';
import { respondWithSettingsFlow } from './respond.js';
import { replayPausedSettingsChange } from './resume.js';
import { serializeSettingsFlow } from './serialize.js';
import { currentSession, loginUrl } from './session.js';
import { refuseFlowOfAnotherIdentity, submitSettings } from './submit.js';

const initQuery = {
  type: 'object',
  properties: { return_to: { type: 'string' } },
} as const;

/**
 * Settings routes as on Kratos's public port: init (api, browser), fetch, submit, and the
 * submit URL opened by a browser, where a re-authentication returns to.
 */
export function settingsRoutes(deps: SettingsDeps) {
  async function signedIn(request: FastifyRequest): Promise<Authenticated> {
    const current = await currentSession(deps, request);
    if (!current) throw noActiveSession();
    return current;
  }

  /** A new browser flow for the signed-in identity, bound to this browser. */
  function createBrowserFlow(
    request: FastifyRequest,
    reply: FastifyReply,
    identity: Identity,
    from: { requestUrl: string; returnTo: string | null },
  ): Promise<SelfServiceFlow> {
    const secret = ensureCsrfSecret(request, reply, deps.cookies);
    return createSettingsFlow(deps, {
      type: 'browser',
      identity,
      ...from,
      csrfToken: csrfTokenFor(secret),
      csrfBinding: csrfBinding(secret),
    });
  }

  /** The flow `?<param>=` names, 404 if unknown. */
  async function namedFlow(request: FastifyRequest, param: 'id' | 'flow'): Promise<SelfServiceFlow> {
    const id = (request.query as Record<string, string | undefined>)[param];
    const flow = id === undefined ? undefined : await deps.flows.get('settings', id);
    if (!flow) throw notFound('The settings flow could not be found.');
    return flow;
  }

  return async function register(app: FastifyInstance): Promise<void> {
    app.get('/self-service/settings/api', async (request, reply) => {
      const current = await signedIn(request);
      const identity = await deps.identities.get(current.session.identityId);
      const flow = await createSettingsFlow(deps, {
        type: 'api',
        identity,
        requestUrl: publicRequestUrl(request, deps.publicBase),
        returnTo: null,
      });
      // `before` hooks see the new flow; a failing one stops it from starting.
      const refused = await deps.hooks?.before('settings', request, flow);
      if (refused) throw refused;
      return respondWithSettingsFlow(deps, request, reply, flow, identity);
    });

    app.get(
      '/self-service/settings/browser',
      { schema: { querystring: initQuery } },
      async (request, reply) => {
        const { return_to } = request.query as { return_to?: string };
        const current = await currentSession(deps, request);
        if (!current) {
          // Kratos sends browsers to the login, taking their return_to along.
          if (wantsJson(request)) throw noActiveSession();
          return reply.redirect(loginUrl(deps, return_to), 303);
        }
        // An empty `return_to=` (ui-node sends one on every settings init) asks for nothing: the
        // flow falls back to the settings after-URL and then the settings UI.
        const returnTo = deps.returnTo.requested(return_to);
        const identity = await deps.identities.get(current.session.identityId);
        // A new flow starts from scratch, as Kratos's NewFlow aborts the settings containers.
        abortSettingsChange(deps, request, reply);
        const flow = await createBrowserFlow(request, reply, identity, {
          requestUrl: publicRequestUrl(request, deps.publicBase),
          returnTo,
        });
        // As for api flows (and Kratos's PreSettingsHook on every new flow).
        const refused = await deps.hooks?.before('settings', request, flow);
        if (refused) throw refused;
        return respondWithSettingsFlow(deps, request, reply, flow, identity);
      },
    );

    app.get('/self-service/settings/flows', async (request, reply) => {
      const flow = await namedFlow(request, 'id');
      const current = await signedIn(request);
      if (flowIdentityId(flow) !== current.session.identityId) throw flowOfAnotherIdentity();
      const now = deps.now();
      // As the other flows' fetch (and Kratos's getSettingsFlow): where to start again.
      if (isFlowExpired(flow, now)) throw expiredOnFetch(flow, deps.publicBase);
      const shown = flow.type === 'browser' ? withFreshCsrfToken(request, flow) : flow;
      const identity = await deps.identities.get(current.session.identityId);
      return reply.send(serializeSettingsFlow(shown, identity, deps.schemas.schemaUrl(identity.schema_id)));
    });

    app.post('/self-service/settings', async (request, reply) => submitSettings(deps, request, reply));

    // Where `redirect_browser_to` of session_refresh_required leads once the person signed in
    // again: the change paused for it runs now (see resume.ts). Without one, browsers continue
    // in a new flow of the same request.
    app.get('/self-service/settings', async (request, reply) => {
      const flow = await namedFlow(request, 'flow');
      const current = await currentSession(deps, request);
      if (!current) {
        if (flow.type === 'browser' && !wantsJson(request)) return reply.redirect(loginUrl(deps), 303);
        throw noActiveSession();
      }
      // Kratos serves this GET with its submit handler: another identity's flow is refused alike.
      if (flowIdentityId(flow) !== current.session.identityId)
        return refuseFlowOfAnotherIdentity(deps, request, reply, flow, current);
      const identity = await deps.identities.get(current.session.identityId);
      if (flow.type === 'api') return respondWithSettingsFlow(deps, request, reply, flow, identity);
      if (!isFlowExpired(flow, deps.now())) {
        const replay = await replayPausedSettingsChange(deps, request, reply, flow, current);
        if (replay !== undefined) return replay();
      }
      const next = await createBrowserFlow(request, reply, identity, {
        requestUrl: flow.request_url,
        returnTo: flow.return_to,
      });
      return respondWithSettingsFlow(deps, request, reply, next, identity);
    });
  };

  /** Browser flows show a freshly masked token for the browser's CSRF secret on each fetch. */
  function withFreshCsrfToken(request: FastifyRequest, flow: SelfServiceFlow): SelfServiceFlow {
    const secret = decodeCsrfCookie(request.cookies?.[deps.cookies.csrfCookieName], deps.cookies.cookieKeys);
    if (!secret) return flow;
    return { ...flow, ui: { ...flow.ui, nodes: refreshCsrfNode(flow.ui.nodes, csrfTokenFor(secret)) } };
  }
}
