import { beforeAll, describe, expect, it } from 'vitest';
import { identityFixture } from '../../../persistence/testing/identity-fixtures.js';
import { readSubmission } from '../../flow/submission.js';
import { examSchemas } from '../../settings/testing/schemas.js';
import { updateProfile } from './settings.js';

const traits = {
  email: 'ada@example.com',
  fullname: 'Ada Lovelace',
  phone_number: 5550100,
  user_type: 'educator',
};
const ada = identityFixture('ada@example.com', { schema_id: 'exam', traits });

let deps: Awaited<ReturnType<typeof examSchemas>>;
let calls = 0;

function submit(body: unknown, privileged: boolean, contentType = 'application/json') {
  calls = 0;
  return updateProfile(deps, {
    identity: ada,
    submission: readSubmission(body, contentType),
    privileged: async () => {
      calls++;
      return privileged;
    },
  });
}

beforeAll(async () => {
  deps = await examSchemas();
});

describe('updateProfile', () => {
  it('changes a plain trait without asking whether the session is privileged', async () => {
    const change = await submit({ method: 'profile', traits: { ...traits, fullname: 'Ada King' } }, false);
    expect(change).toMatchObject({
      kind: 'update',
      body: { schema_id: 'exam', traits: { fullname: 'Ada King' } },
    });
    expect(calls).toBe(0);
  });

  it('keeps the metadata and state as they are', async () => {
    const change = await submit({ method: 'profile', traits: { ...traits, fullname: 'Ada King' } }, false);
    expect(change.kind === 'update' && change.body).toMatchObject({
      state: 'active',
      metadata_public: { plan: 'free' },
    });
  });

  it('needs a privileged session to change the email (identifier, verifiable and recovery address)', async () => {
    const body = { method: 'profile', traits: { ...traits, email: 'ada@lovelace.org' } };
    expect(await submit(body, false)).toEqual({ kind: 'needs_privilege' });
    expect(calls).toBe(1);
    expect(await submit(body, true)).toMatchObject({
      kind: 'update',
      body: { traits: { email: 'ada@lovelace.org' } },
    });
  });

  it('answers invalid traits with messages on their fields, keeping what was sent, before the privilege', async () => {
    const sent = { email: 'ada@lovelace.org', phone_number: 1, user_type: 'admin' };
    const change = await submit({ method: 'profile', traits: sent }, false);
    expect(change.kind).toBe('invalid');
    if (change.kind !== 'invalid') return;
    expect(change.fields['traits.fullname']?.map((m) => m.id)).toEqual([4000002]);
    expect(change.fields['traits.user_type']?.map((m) => m.id)).toEqual([4000001]);
    expect(change.traits).toEqual(sent);
    expect(calls).toBe(0);
  });

  it('reads HTML form fields with the schema types', async () => {
    const change = await submit(
      {
        method: 'profile',
        'traits.email': 'ada@example.com',
        'traits.fullname': 'Ada King',
        'traits.phone_number': '5550101',
        'traits.user_type': 'student',
      },
      false,
      'application/x-www-form-urlencoded',
    );
    expect(change).toMatchObject({ kind: 'update', body: { traits: { phone_number: 5550101 } } });
  });

  it('answers a submission without traits with 4000002 on a traits node, as the profile schema requires them', async () => {
    for (const body of [{ method: 'profile' }, undefined]) {
      calls = 0;
      const change = await updateProfile(deps, {
        identity: ada,
        submission: readSubmission({ method: 'profile' }, 'application/json'),
        ...(body === undefined ? {} : { body }),
        privileged: async () => true,
      });
      expect(change).toEqual({
        kind: 'invalid',
        fields: {
          traits: [
            {
              id: 4000002,
              text: 'Property traits is missing.',
              type: 'error',
              context: { property: 'traits' },
            },
          ],
        },
      });
    }
  });

  it('answers traits: {} with 4000002 on each required trait, keeping the empty values', async () => {
    const body = { method: 'profile', traits: {} };
    const change = await updateProfile(deps, {
      identity: ada,
      submission: readSubmission(body, 'application/json'),
      body,
      privileged: async () => true,
    });
    expect(change.kind).toBe('invalid');
    if (change.kind !== 'invalid') return;
    expect(change.traits).toEqual({});
    expect(
      Object.fromEntries(Object.entries(change.fields).map(([n, ms]) => [n, ms.map((m) => m.id)])),
    ).toEqual({
      'traits.email': [4000002],
      'traits.fullname': [4000002],
      'traits.phone_number': [4000002],
      'traits.user_type': [4000002],
    });
  });

  it('answers traits that are not an object with a type error on the traits node', async () => {
    const body = { method: 'profile', traits: 'ada' };
    const change = await updateProfile(deps, {
      identity: ada,
      submission: readSubmission(body, 'application/json'),
      body,
      privileged: async () => true,
    });
    expect(change).toMatchObject({ kind: 'invalid', fields: { traits: [{ id: 4000026 }] } });
  });
});
