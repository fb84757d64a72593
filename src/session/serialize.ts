import type { Identity } from '../identity/model.js';
import { serializeIdentity } from '../identity/serialize.js';
import type { JsonObject } from '../kernel/json.js';
import type { Session } from './model.js';

export type { JsonObject };

/** The session in Kratos's JSON shape, without its identity (attached by the caller). */
export function serializeSession(session: Session, now: Date): JsonObject {
  return {
    id: session.id,
    active: session.active && session.expires_at.getTime() > now.getTime(),
    expires_at: session.expires_at.toISOString(),
    authenticated_at: session.authenticated_at.toISOString(),
    authenticator_assurance_level: session.aal,
    authentication_methods: session.authentication_methods.map((m) => {
      const out: JsonObject = { method: m.method, aal: m.aal, completed_at: m.completed_at.toISOString() };
      if (m.provider !== undefined) out.provider = m.provider;
      return out;
    }),
    issued_at: session.issued_at.toISOString(),
    devices: session.devices.map((d) => ({
      id: d.id,
      ip_address: d.ip_address,
      user_agent: d.user_agent,
      // Kratos always sends a string here (empty without a location); older rows hold null.
      location: d.location ?? '',
    })),
  };
}

/** The identity as a session shows it to its owner: no credentials, no admin metadata. */
export function serializeSessionIdentity(identity: Identity, schemaUrl: string): JsonObject {
  return serializeIdentity(identity, { admin: false, schemaUrl });
}
