import { randomUUID } from 'node:crypto';
import type { Identity } from '../../identity/model.js';

/** A complete identity aggregate for store tests; `email` must be unique per test. */
export function identityFixture(email: string, overrides: Partial<Identity> = {}): Identity {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  return {
    id: randomUUID(),
    schema_id: 'default',
    traits: { email, fullname: 'Ada Lovelace', phone_number: 123, user_type: 'educator' },
    state: 'active',
    state_changed_at: now,
    metadata_public: { plan: 'free' },
    metadata_admin: null,
    external_id: null,
    credentials: {
      password: {
        type: 'password',
        identifiers: [email],
        config: { hashed_password: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g' },
        version: 0,
        created_at: now,
        updated_at: now,
      },
    },
    verifiable_addresses: [
      {
        id: randomUUID(),
        value: email,
        via: 'email',
        verified: false,
        verified_at: null,
        status: 'pending',
        created_at: now,
        updated_at: now,
      },
    ],
    recovery_addresses: [{ id: randomUUID(), value: email, via: 'email', created_at: now, updated_at: now }],
    created_at: now,
    updated_at: now,
    ...overrides,
  };
}
