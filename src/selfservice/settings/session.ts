import type { FastifyRequest } from 'fastify';
import type { Authenticated } from '../../session/manager.js';
import { sessionTokenFrom } from '../../session/request-token.js';
import type { SelfServiceFlow } from '../flow/flow.js';
import { publicUrl } from '../flow/request-url.js';
import type { SettingsDeps } from './deps.js';

/** The usable session the request carries (`X-Session-Token`, Bearer or the session cookie). */
export async function currentSession(
  deps: Pick<SettingsDeps, 'sessions' | 'tokens'>,
  request: FastifyRequest,
): Promise<Authenticated | undefined> {
  const token = sessionTokenFrom(request, deps.tokens);
  return token === undefined ? undefined : deps.sessions.authenticate(token);
}

/**
 * Whether the session signed in within `privileged_session_max_age`. Read from the store, not
 * the cache: it is asked only when something sensitive is about to change.
 */
export async function isPrivileged(
  deps: Pick<SettingsDeps, 'sessions' | 'config' | 'now'>,
  sessionId: string,
): Promise<boolean> {
  const session = await deps.sessions.get(sessionId);
  if (!session) return false;
  const until = session.authenticated_at.getTime() + deps.config.settings.privilegedSessionMaxAgeMs;
  return until > deps.now().getTime();
}

/**
 * Where to re-authenticate (Kratos's settings `reauthenticate`): the browser login with
 * `refresh=true`, returning to this flow's submit URL, which leads back to the settings UI.
 * The submit URL is always an allowed `return_to` (the public `/self-service` endpoints are).
 */
export function reauthenticationUrl(deps: Pick<SettingsDeps, 'publicBase'>, flow: SelfServiceFlow): string {
  const url = new URL(publicUrl(deps.publicBase, 'self-service/login/browser'));
  url.searchParams.set('refresh', 'true');
  url.searchParams.set('return_to', publicUrl(deps.publicBase, `self-service/settings?flow=${flow.id}`));
  return url.toString();
}

/** The browser login a browser without a session is sent to, keeping its `return_to`. */
export function loginUrl(deps: Pick<SettingsDeps, 'publicBase'>, returnTo?: string): string {
  const url = new URL(publicUrl(deps.publicBase, 'self-service/login/browser'));
  if (returnTo !== undefined && returnTo !== '') url.searchParams.set('return_to', returnTo);
  return url.toString();
}
