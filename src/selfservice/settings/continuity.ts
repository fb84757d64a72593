/**
 * A settings change paused for a re-authentication, and replayed once the person is back with a
 * fresh session (Kratos's settings continuity: `PrepareUpdate`, `ContinuityManager().Pause` and
 * `Continue`, the `ory_kratos_settings_<method>` containers). A browser flow's submission that
 * needs a privileged session is remembered for 15 minutes (Kratos's ContinuityOptions lifespan)
 * for the identity that made it; the browser goes to the refreshing login, which returns it to
 * `GET /self-service/settings?flow=<id>`, where the remembered submission runs as if sent again.
 *
 * Where it lives. Kratos keeps the submitted payload (a new password in clear text included) in
 * its `continuity_containers` table and only the container's id in the cookie. Here neither side
 * alone can read it: the flow (`internal.settings_continuity`) keeps the submission sealed under
 * a random key made for this pause, and only the browser's cookie carries that key (itself sealed
 * under `secrets.cookie`, see continuity-seal.ts). A database dump or backup shows no password;
 * a stolen cookie holds no submission, and opens nothing without the cookie secrets and the
 * database. The flow side makes it one-shot (it is taken with a conditional write, so of racing
 * requests exactly one replays it) and expiring; the cookie side binds it to the browser.
 *
 * The cookie is `ory_kratos_settings_continuity`, not Kratos's `ory_kratos_continuity`: that name
 * holds the OIDC sign-in's continuity value here (one value, not Kratos's map of containers), so
 * a re-authentication with a provider would overwrite and then clear a paused change.
 */

import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isJsonObject } from '../../identity/schema/json.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { cookieBase } from '../flow/http-context.js';
import {
  newPayloadKey,
  openContinuityCookie,
  openPayload,
  sealContinuityCookie,
  sealPayload,
} from './continuity-seal.js';
import type { SettingsDeps } from './deps.js';

export const SETTINGS_CONTINUITY_COOKIE = 'ory_kratos_settings_continuity';

/** How long a paused change waits for the re-authentication (Kratos: 15 minutes, fixed). */
export const PAUSED_CHANGE_LIFESPAN_MS = 15 * 60 * 1000;

/** The key of the flow's internal state that holds the paused change. */
const INTERNAL_KEY = 'settings_continuity';

type ContinuityDeps = Pick<SettingsDeps, 'flows' | 'cookies' | 'now'>;

/** A submission as it came: the parsed body and its media type, to be read again on replay. */
export interface SubmittedChange {
  body: unknown;
  contentType: string | undefined;
  /** The CSRF token it passed with, from the body or the `X-CSRF-Token` header. */
  csrfToken?: string | undefined;
}

/** What the flow keeps (JSON in its internal state). */
type StoredContainer = {
  id: string;
  identity_id: string;
  /** ISO 8601. */
  expires_at: string;
  /** `{body, content_type}` sealed under the cookie's key (see continuity-seal.ts). */
  sealed: string;
};

/** What the cookie seals. */
type CookieContent = { id: string; flow: string; key: string };

/** The additional data a payload is sealed with: it opens only for this flow, identity and pause. */
function binding(flowId: string, identityId: string, containerId: string): string {
  return `settings continuity\n${flowId}\n${identityId}\n${containerId}`;
}

/** A new `updated_at` for the flow, later than the one read (updateIfUnchanged tells versions by it). */
function laterThan(readAt: Date, now: Date): Date {
  return new Date(Math.max(now.getTime(), readAt.getTime() + 1));
}

/** Kratos's continuity cookie store takes the attributes of `cookies.*`, as the CSRF cookie. */
function cookieOptions(deps: ContinuityDeps) {
  return cookieBase(deps.cookies.csrf);
}

function clearCookie(reply: FastifyReply, deps: ContinuityDeps): void {
  const { path, domain } = cookieOptions(deps);
  reply.clearCookie(SETTINGS_CONTINUITY_COOKIE, { path, domain });
}

/**
 * Remembers `submitted` on `flow` for `identityId` and gives the browser the cookie to continue
 * it. A later pause on any flow replaces this one in the browser (Kratos keeps one container per
 * method; only one is ever replayed, the return URL being the flow's).
 */
export async function pauseSettingsChange(
  deps: ContinuityDeps,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  identityId: string,
  submitted: SubmittedChange,
): Promise<void> {
  const id = randomUUID();
  const key = newPayloadKey();
  const now = deps.now();
  const payload = JSON.stringify({
    body: submitted.body ?? null,
    content_type: submitted.contentType ?? null,
    csrf_token: submitted.csrfToken ?? null,
  });
  const stored: StoredContainer = {
    id,
    identity_id: identityId,
    expires_at: new Date(now.getTime() + PAUSED_CHANGE_LIFESPAN_MS).toISOString(),
    sealed: sealPayload(payload, key, binding(flow.id, identityId, id)),
  };
  await deps.flows.update({
    ...flow,
    internal: { ...flow.internal, [INTERNAL_KEY]: stored },
    updated_at: laterThan(flow.updated_at, now),
  });
  const cookie: CookieContent = { id, flow: flow.id, key: key.toString('base64url') };
  reply.setCookie(
    SETTINGS_CONTINUITY_COOKIE,
    sealContinuityCookie(JSON.stringify(cookie), deps.cookies.cookieKeys),
    { ...cookieOptions(deps), maxAge: PAUSED_CHANGE_LIFESPAN_MS / 1000 },
  );
}

/**
 * The change paused on `flow` for `identityId`, taken (it replays once), with the flow as stored
 * without it; undefined when the browser brought none that is good: no cookie, one that does not
 * open (forged, changed, sealed under a retired secret), one for another flow or pause, another
 * identity's, expired, or taken already. The cookie is cleared whenever one came.
 */
export async function resumeSettingsChange(
  deps: ContinuityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
  identityId: string,
): Promise<{ flow: SelfServiceFlow; submitted: SubmittedChange } | undefined> {
  const value = request.cookies?.[SETTINGS_CONTINUITY_COOKIE];
  if (value === undefined) return undefined;
  // Whatever it holds, the browser brings it here once (Kratos's Continue unsets its key).
  clearCookie(reply, deps);
  const cookie = cookieContent(openContinuityCookie(value, deps.cookies.cookieKeys));
  if (cookie === undefined || cookie.flow !== flow.id) return undefined;
  const stored = storedContainer(flow);
  if (stored === undefined || stored.id !== cookie.id || stored.identity_id !== identityId) return undefined;
  const now = deps.now();
  if (!(Date.parse(stored.expires_at) > now.getTime())) return undefined;
  // Taken before it is read: of requests racing with copies of the cookie, one finds it.
  const { [INTERNAL_KEY]: _taken, ...internal } = flow.internal;
  const taken: SelfServiceFlow = { ...flow, internal, updated_at: laterThan(flow.updated_at, now) };
  if (!(await deps.flows.updateIfUnchanged(taken, flow.updated_at))) return undefined;
  const text = openPayload(
    stored.sealed,
    Buffer.from(cookie.key, 'base64url'),
    binding(flow.id, identityId, stored.id),
  );
  const submitted = text === undefined ? undefined : submittedChange(text);
  return submitted === undefined ? undefined : { flow: taken, submitted };
}

/**
 * `flow` without the change paused on it, and the browser without its cookie: a new submission
 * on the flow supersedes it. Writes only when there was one (the rare case).
 */
export async function discardPausedChange(
  deps: ContinuityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  flow: SelfServiceFlow,
): Promise<SelfServiceFlow> {
  abortSettingsChange(deps, request, reply);
  if (storedContainer(flow) === undefined) return flow;
  const { [INTERNAL_KEY]: _dropped, ...internal } = flow.internal;
  const without: SelfServiceFlow = { ...flow, internal, updated_at: laterThan(flow.updated_at, deps.now()) };
  await deps.flows.update(without);
  return without;
}

/**
 * Drops the paused change the browser holds, as Kratos's NewFlow aborts every settings container:
 * a new settings flow starts from scratch. Its sealed payload stays on the old flow, unreadable
 * without the cookie's key, until that flow is cleaned up.
 */
export function abortSettingsChange(
  deps: ContinuityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (request.cookies?.[SETTINGS_CONTINUITY_COOKIE] !== undefined) clearCookie(reply, deps);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function cookieContent(text: string | undefined): CookieContent | undefined {
  const value = text === undefined ? undefined : parseJson(text);
  if (!isJsonObject(value)) return undefined;
  const { id, flow, key } = value;
  if (typeof id !== 'string' || typeof flow !== 'string' || typeof key !== 'string') return undefined;
  return { id, flow, key };
}

function storedContainer(flow: SelfServiceFlow): StoredContainer | undefined {
  const value = flow.internal[INTERNAL_KEY];
  if (!isJsonObject(value)) return undefined;
  const { id, identity_id, expires_at, sealed } = value;
  if (
    typeof id !== 'string' ||
    typeof identity_id !== 'string' ||
    typeof expires_at !== 'string' ||
    typeof sealed !== 'string'
  )
    return undefined;
  return { id, identity_id, expires_at, sealed };
}

function submittedChange(text: string): SubmittedChange | undefined {
  const value = parseJson(text);
  if (!isJsonObject(value)) return undefined;
  const { content_type: contentType, csrf_token: csrfToken } = value;
  return {
    body: value.body ?? undefined,
    contentType: typeof contentType === 'string' ? contentType : undefined,
    csrfToken: typeof csrfToken === 'string' ? csrfToken : undefined,
  };
}
