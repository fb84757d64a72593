import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, badRequest, notFound } from '../../kernel/errors.js';
import type { FlowStore } from '../../persistence/flow-store.js';
import { UUID } from '../../persistence/uuid.js';
import { decodeCsrfCookie } from './csrf.js';
import { refreshCsrfNode } from './csrf-node.js';
import { type FlowKind, type FlowType, isFlowExpired, type SelfServiceFlow } from './flow.js';
import { browserRequestOnApiFlow, FlowExpiredError } from './flow-errors.js';
import {
  assertCsrf,
  assertFlowOwnedByBrowser,
  type CookieSettings,
  csrfBinding,
  csrfTokenFor,
  ensureCsrfSecret,
  wantsJson,
} from './http-context.js';
import { askedFlowSchema } from './identity-schema.js';
import { type MessageId, Msg, type UiText, uiText } from './messages.js';
import { publicUrl } from './request-url.js';
import { flowUiUrl, respondWithFlow, respondWithFlowToFix } from './respond.js';
import { readSubmission, type Submission } from './submission.js';
import type { UiNode } from './ui.js';

export interface FlowStepContext {
  flows: FlowStore;
  uiUrl: string;
  now(): Date;
}

/**
 * Stores the flow's new form and answers with it: `fix` (the person must correct something:
 * 400 for JSON clients) or `next` (the flow moved on to its next step: 200).
 */
export async function saveFlowUi(
  context: FlowStepContext,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  change: { outcome: 'fix' | 'next'; active: string | null; nodes: UiNode[]; messages?: UiText[] },
): Promise<FastifyReply> {
  const updated = await storeFlowUi(context, flow, change);
  return change.outcome === 'fix'
    ? respondWithFlowToFix(request, reply, updated, context.uiUrl)
    : respondWithFlow(request, reply, updated, context.uiUrl);
}

/** saveFlowUi's store step alone, for a step that answers otherwise (a redirect, say). */
export async function storeFlowUi(
  context: Pick<FlowStepContext, 'flows' | 'now'>,
  flow: SelfServiceFlow,
  change: { active: string | null; nodes: UiNode[]; messages?: UiText[] },
): Promise<SelfServiceFlow> {
  const updated: SelfServiceFlow = {
    ...flow,
    active: change.active,
    ui: {
      action: flow.ui.action,
      method: flow.ui.method,
      nodes: change.nodes,
      ...(change.messages ? { messages: change.messages } : {}),
    },
    updated_at: context.now(),
  };
  await context.flows.update(updated);
  return updated;
}

/** What the flow that replaces another says: on its form, and on its nodes. */
export interface ReplacementMessages {
  form: readonly UiText[];
  fields?: Readonly<Record<string, readonly UiText[]>>;
}

/** What a replacement flow is stored with (see replaceFlow). */
export interface FlowReplacement {
  csrfToken?: string;
  csrfBinding?: string;
  notice: UiText[];
  nodeMessages?: Readonly<Record<string, readonly UiText[]>>;
}

/**
 * A new flow of `type` in place of one that cannot go on (expired, its code spent or tried too
 * often, a bad link, a web hook's refusal), as Kratos's NewFlow in its retry and expiry paths: a
 * browser flow gets this browser's CSRF token and binding (the cookie set if it had none), and
 * `create` stores it carrying `messages`. Where the client is sent is the caller's to say: the
 * flows and their strategies answer differently.
 */
export async function replaceFlow(
  context: { cookies: CookieSettings },
  request: FastifyRequest,
  reply: FastifyReply,
  type: FlowType,
  messages: ReplacementMessages,
  create: (replacement: FlowReplacement) => Promise<SelfServiceFlow>,
): Promise<SelfServiceFlow> {
  const secret = type === 'browser' ? ensureCsrfSecret(request, reply, context.cookies) : undefined;
  return create({
    notice: [...messages.form],
    ...(messages.fields === undefined ? {} : { nodeMessages: messages.fields }),
    ...(secret === undefined ? {} : { csrfToken: csrfTokenFor(secret), csrfBinding: csrfBinding(secret) }),
  });
}

/** `GET /self-service/<kind>/flows?id=`, where a client fetches a flow's JSON (Kratos's RouteGetFlow). */
export function flowJsonUrl(publicBase: URL, kind: FlowKind, id: string): string {
  return publicUrl(publicBase, `self-service/${kind}/flows?id=${encodeURIComponent(id)}`);
}

const EXPIRED_MESSAGES = {
  login: Msg.ErrorValidationLoginFlowExpired,
  registration: Msg.ErrorValidationRegistrationFlowExpired,
  settings: Msg.ErrorValidationSettingsFlowExpired,
  recovery: Msg.ErrorValidationRecoveryFlowExpired,
  verification: Msg.ErrorValidationVerificationFlowExpired,
} as const satisfies Record<FlowKind, MessageId>;

/**
 * An expired flow is replaced by a fresh one of the same type (see replaceFlow) carrying the
 * notice saying why the person is on it, as Kratos's PrepareReplacementForExpiredFlow. A browser
 * that wants HTML is sent to the new flow's UI. Other clients are told where it is: login,
 * registration and settings with 410 self_service_flow_expired naming it (`use_flow_id`);
 * recovery and verification, as Kratos's error handlers of those two flows, with 303 to the new
 * flow's JSON at `/self-service/<kind>/flows?id=`, which clients follow (the API spec documents it so).
 */
export async function replaceExpiredFlow(
  context: FlowStepContext & { cookies: CookieSettings; publicBase: URL },
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  create: (replacement: {
    csrfToken?: string;
    csrfBinding?: string;
    notice: UiText[];
  }) => Promise<SelfServiceFlow>,
): Promise<FastifyReply> {
  const notice = uiText(EXPIRED_MESSAGES[flow.kind], { expired_at: flow.expires_at, now: context.now() });
  const next = await replaceFlow(context, request, reply, flow.type, { form: [notice] }, create);
  if (flow.type === 'browser' && !wantsJson(request))
    return reply.redirect(flowUiUrl(context.uiUrl, next.id), 303);
  if (flow.kind === 'recovery' || flow.kind === 'verification')
    return reply.redirect(flowJsonUrl(context.publicBase, flow.kind, next.id), 303);
  throw new FlowExpiredError(flow.expires_at, context.now(), next.id);
}

/**
 * `GET /self-service/<kind>/flows?id=`: the flow as its client may see it — 404 if unknown,
 * 403 for another browser, 410 if expired, and for browsers a freshly masked CSRF token.
 */
export async function fetchFlowForClient(
  context: { flows: FlowStore; cookies: CookieSettings; publicBase: URL; now(): Date },
  kind: FlowKind,
  request: FastifyRequest,
): Promise<SelfServiceFlow> {
  const { id } = request.query as { id?: string };
  const flow = id === undefined ? undefined : await context.flows.get(kind, id);
  if (!flow) throw notFound(`The ${kind} flow could not be found.`);
  // Kratos checks the browser first: another browser learns nothing, not even that it expired.
  assertFlowOwnedByBrowser(request, flow, context.cookies);
  if (isFlowExpired(flow, context.now())) throw expiredOnFetch(flow, context.publicBase);
  if (flow.type === 'browser') {
    const secret = decodeCsrfCookie(
      request.cookies?.[context.cookies.csrfCookieName],
      context.cookies.cookieKeys,
    );
    if (secret) flow.ui = { ...flow.ui, nodes: refreshCsrfNode(flow.ui.nodes, csrfTokenFor(secret)) };
  }
  return flow;
}

/**
 * Kratos's answer to fetching an expired flow: 410 `self_service_flow_expired` telling the
 * client where to start again — the browser init URL (keeping `return_to`) for browser flows,
 * the API init URL for native ones.
 */
export function expiredOnFetch(flow: SelfServiceFlow, publicBase: URL): AppError {
  const gone =
    'The requested resource is no longer available because it has expired or is otherwise invalid.';
  // Where to start again (the init endpoint of the flow's type), with the flow's return_to and
  // identity schema, which carry over to the flow that replaces it.
  const initUrl = (type: 'browser' | 'api') => {
    const url = new URL(publicUrl(publicBase, `self-service/${flow.kind}/${type}`));
    if (type === 'browser' && flow.return_to !== null) url.searchParams.set('return_to', flow.return_to);
    const identitySchema = askedFlowSchema(flow);
    if (identitySchema !== undefined) url.searchParams.set('identity_schema', identitySchema);
    return url.toString();
  };
  if (flow.type === 'browser') {
    return new AppError('self_service_flow_expired', 410, gone, {
      reason: `The ${flow.kind} flow has expired. Redirect the user to the ${flow.kind} flow init endpoint to initialize a new ${flow.kind} flow.`,
      details: { redirect_to: initUrl('browser'), return_to: flow.return_to ?? '' },
    });
  }
  return new AppError('self_service_flow_expired', 410, gone, {
    reason: `The ${flow.kind} flow has expired. Call the ${flow.kind} flow init API endpoint to initialize a new ${flow.kind} flow.`,
    details: { api: initUrl('api') },
  });
}

/**
 * A link token in the query (`?token=`), as `@ory/client`'s updateRecoveryFlow and
 * updateVerificationFlow send it beside the body; undefined when absent or empty.
 */
export function queryLinkToken(request: FastifyRequest): string | undefined {
  const { token } = request.query as { token?: unknown };
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * The `?flow=` a submission or an email link names. As Kratos's flow.GetFlowID, no id or one
 * that is not a UUID is the client's mistake (400), not a lookup.
 */
export function flowIdFrom(request: FastifyRequest): string {
  const { flow } = request.query as { flow?: string };
  if (flow === undefined || !UUID.test(flow))
    throw badRequest('The flow query parameter is missing or malformed.');
  return flow.toLowerCase();
}

/**
 * The start of every submission: the flow (404 if unknown), its body, and the client checks
 * (see checkSubmissionClient).
 */
export async function openSubmission(
  context: { flows: FlowStore; cookies: CookieSettings },
  kind: FlowKind,
  request: FastifyRequest,
): Promise<{ flow: SelfServiceFlow; submission: Submission }> {
  const opened = await readFlowSubmission(context, kind, request);
  checkSubmissionClient(context, request, opened);
  return opened;
}

/**
 * The flow a submission names (404 if unknown) and its body, before the client checks: login and
 * registration first tell a person who is signed in already so (as Kratos, whose strategies check
 * CSRF only after that), which a re-sent form whose CSRF secret rotated at sign-in would
 * otherwise answer with 403.
 */
export async function readFlowSubmission(
  context: { flows: FlowStore },
  kind: FlowKind,
  request: FastifyRequest,
): Promise<{ flow: SelfServiceFlow; submission: Submission }> {
  const flow = await context.flows.get(kind, flowIdFrom(request));
  if (!flow) throw notFound(`The ${kind} flow could not be found.`);
  return { flow, submission: readSubmission(request.body, request.headers['content-type']) };
}

/**
 * Native flows refuse browser traits (Cookie, Origin); browser flows need the CSRF token and must
 * come from the browser that started them.
 */
export function checkSubmissionClient(
  context: { cookies: CookieSettings },
  request: FastifyRequest,
  { flow, submission }: { flow: SelfServiceFlow; submission: Submission },
): void {
  if (flow.type === 'api') {
    // As Kratos's EnsureCSRF (r.Header.Get("Origin") != ""): an empty Origin counts as absent.
    const { origin } = request.headers;
    if (origin !== undefined && origin !== '') throw browserRequestOnApiFlow('origin');
    if (carriesCookies(request.headers.cookie)) throw browserRequestOnApiFlow('cookie');
  } else {
    assertCsrf(request, submission.csrfToken, context.cookies);
    assertFlowOwnedByBrowser(request, flow, context.cookies);
  }
}

/** An HTTP token (RFC 9110), which is what Go accepts as a cookie name. */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Cloudflare sets these (`__cf_bm`, `__cfruid`, ...) on every client behind it, native apps
 * included, which cannot keep them out of their shared cookie store.
 */
const CLOUDFLARE_COOKIE_PREFIX = '__cf';

/**
 * Whether a Cookie header carries browser state, as Kratos's EnsureCSRF decides it for native
 * flows: at least one cookie as Go's `r.Cookies()` counts them (a part with a valid name, with
 * or without `=value`: `Cookie: x` is one cookie, named x) whose name does not start with
 * `__cf`, Kratos's "workaround for Cloudflare setting cookies that we can't control".
 */
export function carriesCookies(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const part of header.split(';')) {
    const text = part.trim();
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (COOKIE_NAME.test(name) && !name.startsWith(CLOUDFLARE_COOKIE_PREFIX)) return true;
  }
  return false;
}
