import { beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHashing } from '../../../hash/index.js';
import { identityFixture } from '../../../persistence/testing/identity-fixtures.js';
import { readSubmission } from '../../flow/submission.js';
import { examSchemas } from '../../settings/testing/schemas.js';
import { createHibpClient, resolvePasswordPolicyConfig } from './policy/index.js';
import { type PasswordSettingsDeps, updatePassword } from './settings.js';

// Cheap parameters: the test is about the rules, not hash strength.
const hashing = createPasswordHashing({
  algorithm: 'argon2',
  argon2: { memory: '64KB', iterations: 1, parallelism: 1 },
});
const OLD = 'an old but long passphrase';
const traits = {
  email: 'ada@example.com',
  fullname: 'Ada Lovelace',
  phone_number: 5550100,
  user_type: 'educator',
};

let deps: PasswordSettingsDeps;
let ada: ReturnType<typeof identityFixture>;

beforeAll(async () => {
  const { schemas } = await examSchemas();
  deps = {
    schemas,
    hashing,
    passwordPolicy: resolvePasswordPolicyConfig({ haveibeenpwned_enabled: false }),
    breaches: createHibpClient(),
  };
  const base = identityFixture('ada@example.com', { schema_id: 'exam', traits });
  const password = base.credentials.password;
  if (!password) throw new Error('the fixture has a password');
  ada = {
    ...base,
    credentials: { password: { ...password, config: { hashed_password: await hashing.hash(OLD) } } },
  };
});

function submit(password: string | undefined, privileged = true) {
  return updatePassword(deps, {
    identity: ada,
    submission: readSubmission({ method: 'password', password }, 'application/json'),
    privileged: async () => privileged,
  });
}

const messageIds = (change: Awaited<ReturnType<typeof submit>>) =>
  change.kind === 'invalid' ? (change.fields.password ?? change.messages ?? []).map((m) => m.id) : [];

describe('updatePassword', () => {
  it('needs a privileged session before anything else', async () => {
    expect(await submit('', false)).toEqual({ kind: 'needs_privilege' });
  });

  it('asks for the password when there is none (4000002)', async () => {
    expect(messageIds(await submit(undefined))).toEqual([4000002]);
  });

  it('applies the registration policy: length, similarity to the identifier, common passwords', async () => {
    expect(messageIds(await submit('short'))).toEqual([4000032]);
    expect(messageIds(await submit('ada@example.com1'))).toEqual([4000031]);
    expect(messageIds(await submit('password123'))).toEqual([4000034]);
  });

  it('refuses the current password (4000039)', async () => {
    expect(messageIds(await submit(OLD))).toEqual([4000039]);
  });

  it('sets a new password as a password credential to hash, keeping the traits', async () => {
    const change = await submit('a brand new long passphrase');
    expect(change).toEqual({
      kind: 'update',
      body: {
        schema_id: 'exam',
        traits,
        state: 'active',
        metadata_public: { plan: 'free' },
        credentials: { password: { config: { password: 'a brand new long passphrase' } } },
      },
    });
  });
});
