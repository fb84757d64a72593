/**
 * `GET /ui/<flow>`: the login, registration, verification, recovery and settings pages.
 *
 * Without `?flow=` the page sends the browser to the flow's browser init endpoint (passing
 * `return_to` on), which creates a flow and comes back with its id. With it, the page loads the
 * flow in process with the checks of `GET /self-service/<kind>/flows?id=` — unknown (404),
 * another browser's (403), and for settings another identity's (403) — shows a freshly masked
 * CSRF token, and sends an expired flow's browser to a new flow.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAppError } from '../../kernel/errors.js';
import { decodeCsrfCookie } from '../../selfservice/flow/csrf.js';
import { refreshCsrfNode } from '../../selfservice/flow/csrf-node.js';
import { type FlowKind, isFlowExpired, type SelfServiceFlow } from '../../selfservice/flow/flow.js';
import { assertFlowOwnedByBrowser, csrfTokenFor } from '../../selfservice/flow/http-context.js';
import { askedFlowSchema } from '../../selfservice/flow/identity-schema.js';
import { isAdminIssued } from '../../selfservice/recovery/methods.js';
import { flowOfAnotherIdentity } from '../../selfservice/settings/errors.js';
import { flowIdentityId } from '../../selfservice/settings/flow.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { html, type SafeHtml } from '../html/escape.js';
import type { Translator, UiKey } from '../i18n/translator.js';
import { renderFlowUi } from '../render/form.js';
import type { UiRuntime } from '../runtime.js';
import { errorPageFor, sendErrorPage } from './error.js';

type Query = Record<string, unknown>;

function text(query: Query, name: string): string | undefined {
  const value = query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether the flow can be used at all on this server. */
function enabled(runtime: UiRuntime, kind: FlowKind): boolean {
  const config = runtime.deps.selfService;
  if (kind === 'registration') return config.registration.enabled;
  if (kind === 'verification') return config.verification.enabled;
  if (kind === 'recovery') return config.recovery.enabled;
  return true;
}

/** The browser init endpoint of `kind`, with the parameters it takes. */
export function initUrl(
  runtime: UiRuntime,
  kind: FlowKind,
  params: {
    returnTo?: string | undefined;
    refresh?: boolean;
    aal?: string | undefined;
    identitySchema?: string | undefined;
    /** Registration and settings: where a verification they start leads once done (Kratos's). */
    afterVerificationReturnTo?: string | undefined;
  } = {},
): string {
  return runtime.publicUrl(`self-service/${kind}/browser`, {
    return_to: params.returnTo,
    refresh: params.refresh ? 'true' : undefined,
    aal: params.aal,
    identity_schema: params.identitySchema,
    after_verification_return_to: params.afterVerificationReturnTo,
  });
}

/** The flows whose request URL a verification they start reads `after_verification_return_to` from. */
const startsVerification = (kind: FlowKind) => kind === 'registration' || kind === 'settings';

/** `after_verification_return_to` of the flow's request URL, which Kratos reads it from. */
function askedAfterVerification(flow: SelfServiceFlow): string | undefined {
  if (!startsVerification(flow.kind)) return undefined;
  try {
    return new URL(flow.request_url).searchParams.get('after_verification_return_to') || undefined;
  } catch {
    return undefined;
  }
}

/** Where the browser goes for a new flow of this kind, keeping what the old flow was asked for. */
function restartUrl(runtime: UiRuntime, flow: SelfServiceFlow): string {
  return initUrl(runtime, flow.kind, {
    returnTo: flow.return_to ?? undefined,
    refresh: flow.refresh,
    identitySchema: askedFlowSchema(flow),
    afterVerificationReturnTo: askedAfterVerification(flow),
  });
}

const TITLES: Record<FlowKind, UiKey> = {
  login: 'login.title',
  registration: 'registration.title',
  verification: 'verification.title',
  recovery: 'recovery.title',
  settings: 'settings.title',
};

/** The links under a flow's forms: to the neighbouring flows. */
function flowLinks(runtime: UiRuntime, t: Translator, flow: SelfServiceFlow): SafeHtml {
  const config = runtime.deps.selfService;
  const returnTo = flow.return_to ?? undefined;
  // Login and registration lead to each other with the same identity schema.
  const identitySchema = askedFlowSchema(flow);
  const links: SafeHtml[] = [];
  const link = (id: string, href: string, label: string, lead?: string) =>
    html`<li>${lead === undefined ? '' : html`${lead} `}<a id="${id}" href="${href}">${label}</a></li>`;
  // The identifier-first credentials step hides the identifier: say whose sign-in it is, and
  // offer a new flow to the person who typed another's.
  const chosen =
    flow.kind === 'login' && flow.active === 'identifier_first' ? hiddenIdentifier(flow) : undefined;
  if (chosen !== undefined) {
    links.push(
      link(
        'link-other-account',
        runtime.path('login', { return_to: returnTo, identity_schema: identitySchema }),
        t.t('login.other_account'),
        t.t('login.signing_in_as', { identifier: chosen }),
      ),
    );
  }
  if (flow.kind === 'login' && !flow.refresh) {
    if (config.registration.enabled) {
      links.push(
        link(
          'link-registration',
          runtime.path('registration', { return_to: returnTo, identity_schema: identitySchema }),
          t.t('login.sign_up'),
          t.t('login.no_account'),
        ),
      );
    }
    if (config.recovery.enabled)
      links.push(
        link('link-recovery', runtime.path('recovery', { return_to: returnTo }), t.t('login.forgot')),
      );
  }
  if (flow.kind === 'registration') {
    links.push(
      link(
        'link-login',
        runtime.path('login', { return_to: returnTo, identity_schema: identitySchema }),
        t.t('registration.sign_in'),
        t.t('registration.have_account'),
      ),
    );
  }
  if (flow.kind === 'recovery')
    links.push(link('link-login', runtime.path('login'), t.t('recovery.back_to_login')));
  if (flow.kind === 'settings' || flow.kind === 'verification')
    links.push(link('link-welcome', runtime.path('welcome'), t.t('settings.back')));
  return links.length === 0 ? html`` : html`<ul class="pc-links">${links}</ul>`;
}

/** The flow with the CSRF node carrying a fresh mask of this browser's secret. */
function withFreshCsrf(runtime: UiRuntime, request: FastifyRequest, flow: SelfServiceFlow): SelfServiceFlow {
  if (flow.type !== 'browser') return flow;
  const { cookies } = runtime.deps;
  const secret = decodeCsrfCookie(request.cookies?.[cookies.csrfCookieName], cookies.cookieKeys);
  if (!secret) return flow;
  return { ...flow, ui: { ...flow.ui, nodes: refreshCsrfNode(flow.ui.nodes, csrfTokenFor(secret)) } };
}

/** The signed-in identity's id, for settings; undefined without a usable session. */
async function signedInIdentity(runtime: UiRuntime, request: FastifyRequest): Promise<string | undefined> {
  const token = sessionTokenFrom(request, runtime.deps.tokens);
  const current = token === undefined ? undefined : await runtime.deps.sessions.authenticate(token);
  return current?.session.identityId;
}

/**
 * Whether `flowId` names a recovery flow an admin issued (`POST /admin/recovery/code`): its page is
 * shown with self-service recovery off, as Kratos serves invitation codes then.
 */
async function adminIssuedRecovery(
  runtime: UiRuntime,
  kind: FlowKind,
  flowId: string | undefined,
): Promise<boolean> {
  if (kind !== 'recovery' || flowId === undefined) return false;
  const flow = await runtime.deps.flows.get(kind, flowId);
  return flow !== undefined && isAdminIssued(flow);
}

/** Serves `GET /ui/<kind>`. */
export async function showFlowPage(
  runtime: UiRuntime,
  kind: FlowKind,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { deps } = runtime;
  const query = (request.query ?? {}) as Query;
  if (!enabled(runtime, kind) && !(await adminIssuedRecovery(runtime, kind, text(query, 'flow'))))
    return sendErrorPage(runtime, request, reply, { status: 404, message: 'error.flow_disabled' });
  const returnTo = text(query, 'return_to');
  const fresh = initUrl(runtime, kind, {
    returnTo,
    refresh: kind === 'login' && text(query, 'refresh') === 'true',
    aal: kind === 'login' ? text(query, 'aal') : undefined,
    identitySchema: kind === 'login' || kind === 'registration' ? text(query, 'identity_schema') : undefined,
    afterVerificationReturnTo: startsVerification(kind)
      ? text(query, 'after_verification_return_to')
      : undefined,
  });

  let identityId: string | undefined;
  if (kind === 'settings') {
    identityId = await signedInIdentity(runtime, request);
    // Sign in first, then come back through the settings init endpoint (always an allowed return_to).
    if (identityId === undefined) return reply.redirect(initUrl(runtime, 'login', { returnTo: fresh }), 303);
  }

  const id = text(query, 'flow');
  if (id === undefined) return reply.redirect(fresh, 303);
  const flow = await deps.flows.get(kind, id);
  if (!flow)
    return sendErrorPage(runtime, request, reply, {
      status: 404,
      message: 'error.not_found',
      startOver: fresh,
    });
  if (isFlowExpired(flow, deps.now())) return reply.redirect(restartUrl(runtime, flow), 303);
  try {
    assertFlowOwnedByBrowser(request, flow, deps.cookies);
    if (kind === 'settings' && flowIdentityId(flow) !== identityId) throw flowOfAnotherIdentity('fetch');
  } catch (error) {
    if (!isAppError(error)) throw error;
    return sendErrorPage(runtime, request, reply, {
      ...errorPageFor(error),
      startOver: restartUrl(runtime, flow),
    });
  }

  const shown = withFreshCsrf(runtime, request, flow);
  const t = runtime.translator(request);
  const title = t.t(kind === 'login' && flow.refresh ? 'login.refresh_title' : TITLES[kind]);
  const body = html`${renderFlowUi(shown.ui, t, { flow: kind, headings: kind === 'settings' })}${flowLinks(
    runtime,
    t,
    flow,
  )}`;
  // With --dev, the pages that wait for a code link to where the code lands.
  const inboxLink =
    runtime.deps.inbox !== undefined && (kind === 'verification' || kind === 'recovery')
      ? [{ href: runtime.path('inbox'), text: t.t('welcome.inbox') }]
      : [];
  return runtime.send(request, reply, {
    title,
    body,
    nav: inboxLink,
    // Codes and links with secrets appear in these pages' URLs: no Referer leaves them.
    referrer: kind === 'recovery' || kind === 'verification' ? 'no-referrer' : 'same-origin',
    formTargets: [shown.ui.action, ...(flow.return_to === null ? [] : [flow.return_to])],
  });
}

/** The identifier an identifier-first login carries hidden on its credentials step. */
function hiddenIdentifier(flow: SelfServiceFlow): string | undefined {
  for (const node of flow.ui.nodes) {
    const attributes = node.attributes as { name?: unknown; type?: unknown; value?: unknown };
    if (
      node.group === 'identifier_first' &&
      attributes.name === 'identifier' &&
      attributes.type === 'hidden'
    ) {
      return typeof attributes.value === 'string' && attributes.value !== '' ? attributes.value : undefined;
    }
  }
  return undefined;
}
