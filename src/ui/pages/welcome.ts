/**
 * `GET /ui/welcome`: who am I (traits, addresses), my sessions with a revoke button for each
 * other one, and sign out. Without a session: links to sign in and to sign up.
 *
 * `POST /ui/sessions/revoke` and `POST /ui/sessions/revoke-others` end sessions of the signed-in
 * identity; both need the CSRF token of this browser (the flows' cookie and masking).
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JsonObject, JsonValue } from '../../identity/model.js';
import { isJsonObject } from '../../kernel/json.js';
import { assertCsrf, csrfTokenFor, ensureCsrfSecret } from '../../selfservice/flow/http-context.js';
import { listSchemaPaths } from '../../selfservice/nodes/schema-paths.js';
import type { Authenticated } from '../../session/manager.js';
import type { Session } from '../../session/model.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import { attributes, html, type SafeHtml } from '../html/escape.js';
import type { Translator } from '../i18n/translator.js';
import type { UiRuntime } from '../runtime.js';
import { sendErrorPage } from './error.js';

/** Traits as dotted names and printable values, in document order. */
export function flattenTraits(traits: JsonObject, prefix = ''): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const [key, value] of Object.entries(traits)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isJsonObject(value)) out.push(...flattenTraits(value, name));
    else out.push({ name, value: printable(value) });
  }
  return out;
}

function printable(value: JsonValue): string {
  if (value === null) return '';
  if (Array.isArray(value))
    return value.map((v) => (isJsonObject(v) ? JSON.stringify(v) : printable(v))).join(', ');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The schema's titles of trait paths (`traits.email` -> `E-Mail`). */
function traitTitles(runtime: UiRuntime, schemaId: unknown): Map<string, string> {
  const document = typeof schemaId === 'string' ? runtime.deps.schemaDocument(schemaId) : undefined;
  if (document === undefined) return new Map();
  try {
    return new Map(
      listSchemaPaths(document)
        .filter((p) => p.title !== '')
        .map((p) => [p.name, p.title]),
    );
  } catch {
    return new Map();
  }
}

/** What to call the person: their first email-like trait or address, else their id. */
function displayName(identity: JsonObject): string {
  const addresses = Array.isArray(identity.verifiable_addresses) ? identity.verifiable_addresses : [];
  const first = addresses.find(isJsonObject)?.value;
  if (typeof first === 'string') return first;
  const traits = isJsonObject(identity.traits) ? identity.traits : {};
  const text = flattenTraits(traits).find((trait) => trait.value !== '');
  return text?.value ?? String(identity.id);
}

function formatTime(t: Translator, date: Date): string {
  try {
    const shown = new Intl.DateTimeFormat(t.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(date);
    return `${shown} UTC`;
  } catch {
    return date.toISOString();
  }
}

function device(session: Session, t: Translator): string {
  const last = session.devices.at(-1);
  const parts = [last?.user_agent, last?.ip_address].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return parts.length > 0 ? parts.join(' · ') : t.t('welcome.unknown_device');
}

function signedOutBody(runtime: UiRuntime, t: Translator): SafeHtml {
  const registration = runtime.deps.selfService.registration.enabled;
  return html`<p id="welcome-signed-out">${t.t('welcome.signed_out')}</p><div class="pc-actions"><a class="pc-button" id="link-login" href="${runtime.path(
    'login',
  )}">${t.t('welcome.sign_in')}</a>${
    registration
      ? html`<a class="pc-button pc-button--secondary" id="link-registration" href="${runtime.path('registration')}">${t.t(
          'welcome.sign_up',
        )}</a>`
      : ''
  }</div>`;
}

function revokeForm(
  runtime: UiRuntime,
  csrf: string,
  action: string,
  label: string,
  sessionId?: string,
): SafeHtml {
  return html`<form class="pc-inline-form" method="post" action="${runtime.path(action)}"><input${attributes({
    type: 'hidden',
    name: 'csrf_token',
    value: csrf,
  })}>${sessionId === undefined ? '' : html`<input type="hidden" name="session_id" value="${sessionId}">`}<button class="pc-button pc-button--secondary" type="submit">${label}</button></form>`;
}

function sessionsSection(
  runtime: UiRuntime,
  t: Translator,
  sessions: readonly Session[],
  currentId: string,
  csrf: string,
): SafeHtml {
  const current = sessions.filter((s) => s.id === currentId);
  const others = sessions.filter((s) => s.id !== currentId);
  const item = (session: Session, isCurrent: boolean) =>
    html`<li${attributes({ 'data-session-id': session.id, 'data-current': isCurrent ? 'true' : undefined })}><p><strong>${
      isCurrent ? t.t('welcome.this_session') : device(session, t)
    }</strong></p>${isCurrent ? html`<p class="pc-muted">${device(session, t)}</p>` : ''}<p class="pc-muted">${t.t(
      'welcome.session_signed_in',
      { time: formatTime(t, session.authenticated_at) },
    )}</p>${
      isCurrent ? '' : revokeForm(runtime, csrf, 'sessions/revoke', t.t('welcome.revoke'), session.id)
    }</li>`;
  return html`<section class="pc-section"><h2 id="sessions-heading">${t.t(
    'welcome.sessions',
  )}</h2><ul class="pc-list" id="sessions">${current.map((s) => item(s, true))}${others.map((s) => item(s, false))}</ul>${
    others.length === 0
      ? html`<p class="pc-muted" id="no-other-sessions">${t.t('welcome.no_other_sessions')}</p>`
      : html`<div class="pc-actions">${revokeForm(runtime, csrf, 'sessions/revoke-others', t.t('welcome.revoke_others'))}</div>`
  }</section>`;
}

function profileSection(runtime: UiRuntime, t: Translator, identity: JsonObject): SafeHtml {
  const titles = traitTitles(runtime, identity.schema_id);
  const traits = flattenTraits(isJsonObject(identity.traits) ? identity.traits : {});
  const addresses = (
    Array.isArray(identity.verifiable_addresses) ? identity.verifiable_addresses : []
  ).filter(isJsonObject);
  const addressList =
    addresses.length === 0
      ? ''
      : html`<h2 id="addresses-heading">${t.t('welcome.addresses')}</h2><ul class="pc-list" id="addresses">${addresses.map(
          (a) =>
            html`<li data-address="${String(a.value)}" data-verified="${a.verified === true ? 'true' : 'false'}"><span>${String(
              a.value,
            )}</span> — <span>${a.verified === true ? t.t('welcome.verified') : t.t('welcome.unverified')}</span>${
              a.verified === true || !runtime.deps.selfService.verification.enabled
                ? ''
                : html` <a href="${runtime.path('verification')}">${t.t('welcome.verify', { address: String(a.value) })}</a>`
            }</li>`,
        )}</ul>`;
  return html`<section class="pc-section"><h2 id="profile-heading">${t.t(
    'welcome.profile',
  )}</h2><dl class="pc-traits" id="traits">${traits.map(
    (trait) =>
      html`<dt>${titles.get(`traits.${trait.name}`) ?? trait.name}</dt><dd data-trait="${trait.name}">${trait.value}</dd>`,
  )}</dl>${addressList}</section>`;
}

/** The logout URL of the browser's session (what `/self-service/logout/browser` returns). */
async function logoutUrl(runtime: UiRuntime, token: string): Promise<string | undefined> {
  const session = await runtime.deps.sessions.findByToken(token);
  const logoutToken =
    session === undefined ? undefined : runtime.deps.sessions.logoutTokenFor(token, session);
  return logoutToken === undefined
    ? undefined
    : runtime.publicUrl('self-service/logout', { token: logoutToken });
}

async function current(
  runtime: UiRuntime,
  request: FastifyRequest,
): Promise<{ token: string; authenticated: Authenticated } | undefined> {
  const token = sessionTokenFrom(request, runtime.deps.tokens);
  const authenticated = token === undefined ? undefined : await runtime.deps.sessions.authenticate(token);
  return token === undefined || authenticated === undefined ? undefined : { token, authenticated };
}

/** Serves `GET /ui/welcome`. */
export async function showWelcomePage(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const t = runtime.translator(request);
  const inboxLink =
    runtime.deps.inbox === undefined ? [] : [{ href: runtime.path('inbox'), text: t.t('welcome.inbox') }];
  const signedIn = await current(runtime, request);
  if (signedIn === undefined) {
    return runtime.send(request, reply, {
      title: t.t('welcome.title'),
      body: signedOutBody(runtime, t),
      nav: inboxLink,
    });
  }
  const { session } = signedIn.authenticated;
  const identity = signedIn.authenticated.identity.json;
  const csrf = csrfTokenFor(ensureCsrfSecret(request, reply, runtime.deps.cookies));
  const { sessions } = await runtime.deps.sessions.list({
    identityId: session.identityId,
    active: true,
    pageSize: 100,
  });
  const logout = await logoutUrl(runtime, signedIn.token);
  const { revoked } = request.query as { revoked?: unknown };
  const flash =
    revoked === 'one' || revoked === 'others'
      ? html`<div class="pc-messages"><p class="pc-message pc-message--success" role="status">${t.t(
          revoked === 'one' ? 'welcome.revoked' : 'welcome.revoked_others',
        )}</p></div>`
      : '';
  const body = html`${flash}<p id="welcome-identity">${t.t('welcome.signed_in_as', { name: displayName(identity) })}</p><div class="pc-actions"><a class="pc-button" id="link-settings" href="${runtime.path(
    'settings',
  )}">${t.t('welcome.settings')}</a>${
    logout === undefined
      ? ''
      : html`<a class="pc-button pc-button--secondary" id="link-logout" href="${logout}">${t.t('welcome.sign_out')}</a>`
  }</div>${profileSection(runtime, t, identity)}${sessionsSection(runtime, t, sessions, session.id, csrf)}`;
  return runtime.send(request, reply, { title: t.t('welcome.title'), body, nav: inboxLink });
}

/** Serves `POST /ui/sessions/revoke` (one session) and `POST /ui/sessions/revoke-others`. */
export async function revokeSessions(
  runtime: UiRuntime,
  which: 'one' | 'others',
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  const csrf = typeof body.csrf_token === 'string' ? body.csrf_token : undefined;
  assertCsrf(request, csrf, runtime.deps.cookies);
  const signedIn = await current(runtime, request);
  if (signedIn === undefined) return reply.redirect(runtime.path('welcome'), 303);
  const { session } = signedIn.authenticated;
  if (which === 'others') {
    await runtime.deps.sessions.revokeIdentitySessions(session.identityId, session.id);
    return reply.redirect(runtime.path('welcome', { revoked: 'others' }), 303);
  }
  const id = typeof body.session_id === 'string' ? body.session_id : '';
  const target = id === '' ? undefined : await runtime.deps.sessions.get(id);
  // Someone else's session is as absent as one that never existed; the current one ends by signing out.
  if (target === undefined || target.identity_id !== session.identityId || target.id === session.id)
    return sendErrorPage(runtime, request, reply, { status: 404, message: 'error.not_found' });
  await runtime.deps.sessions.revoke(target.id);
  return reply.redirect(runtime.path('welcome', { revoked: 'one' }), 303);
}
