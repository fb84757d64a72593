import type { CredentialType } from '../identity/model.js';

export type AuthenticatorAssuranceLevel = 'aal0' | 'aal1' | 'aal2' | 'aal3';

/** One completed authentication step, in the order they happened. */
export interface AuthenticationMethod {
  method: CredentialType | 'code_recovery' | 'link_recovery';
  aal: AuthenticatorAssuranceLevel;
  completed_at: Date;
  /** For oidc: which provider. */
  provider?: string;
}

/** Where a session was used: the client's address and user agent. */
export interface SessionDevice {
  id: string;
  ip_address: string | null;
  user_agent: string | null;
  location: string | null;
}

/**
 * A session as stored. The bearer token itself is never stored: only its keyed hash (see
 * token.ts), so a database leak does not hand out live sessions.
 */
export interface Session {
  id: string;
  identity_id: string;
  token_hash: string;
  /** Hash of the logout token that browser logout URLs carry. */
  logout_token_hash: string;
  active: boolean;
  aal: AuthenticatorAssuranceLevel;
  authentication_methods: AuthenticationMethod[];
  devices: SessionDevice[];
  issued_at: Date;
  authenticated_at: Date;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** Whether the session can authenticate a request at `now`. */
export function isSessionUsable(session: Session, now: Date): boolean {
  return session.active && session.expires_at.getTime() > now.getTime();
}
