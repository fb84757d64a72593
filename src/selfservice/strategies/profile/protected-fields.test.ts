import { describe, expect, it } from 'vitest';
import { identityFixture } from '../../../persistence/testing/identity-fixtures.js';
import { addedAddresses, changesProtectedFields } from './protected-fields.js';

const ada = identityFixture('ada@example.com');
const same = {
  identifiers: { password: ['ada@example.com'] },
  verifiable: [{ value: 'ada@example.com', via: 'email' as const }],
  recovery: [{ value: 'ada@example.com', via: 'email' as const }],
};

describe('changesProtectedFields', () => {
  it('is false when identifiers and addresses stay (a name change)', () => {
    expect(changesProtectedFields(ada, same)).toBe(false);
  });

  it('is true when a credential identifier changes', () => {
    expect(changesProtectedFields(ada, { ...same, identifiers: { password: ['ada@lovelace.org'] } })).toBe(
      true,
    );
  });

  it('is true when a verifiable or a recovery address changes, even alone', () => {
    const other = [{ value: 'ada@lovelace.org', via: 'email' as const }];
    expect(changesProtectedFields(ada, { ...same, verifiable: other })).toBe(true);
    expect(changesProtectedFields(ada, { ...same, recovery: other })).toBe(true);
    expect(changesProtectedFields(ada, { ...same, recovery: [...same.recovery, ...other] })).toBe(true);
  });

  it('matches addresses as the identity manager does: by channel and case-insensitive value', () => {
    const upper = [{ value: 'ADA@example.com', via: 'email' as const }];
    expect(changesProtectedFields(ada, { ...same, verifiable: upper, recovery: upper })).toBe(false);
    const sms = [{ value: 'ada@example.com', via: 'sms' as const }];
    expect(changesProtectedFields(ada, { ...same, verifiable: sms })).toBe(true);
  });

  it('ignores identifiers of credentials the identity does not have, and oidc subjects', () => {
    const withOidc = identityFixture('ada@example.com', {
      credentials: {
        ...ada.credentials,
        oidc: {
          type: 'oidc',
          identifiers: ['google:123'],
          config: {},
          version: 0,
          created_at: ada.created_at,
          updated_at: ada.created_at,
        },
      },
    });
    expect(
      changesProtectedFields(withOidc, { ...same, identifiers: { ...same.identifiers, code: ['x'] } }),
    ).toBe(false);
  });
});

describe('addedAddresses', () => {
  it('lists the values that are new', () => {
    expect(
      addedAddresses(
        [{ value: 'a@example.com', via: 'email' }],
        [
          { value: 'A@example.com', via: 'email' },
          { value: 'b@example.com', via: 'email' },
        ],
      ),
    ).toEqual(['b@example.com']);
  });
});
