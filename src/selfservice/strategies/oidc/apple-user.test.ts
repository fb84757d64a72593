import { describe, expect, it } from 'vitest';
import { withAppleUserName } from './apple-user.js';

const token = { iss: 'https://appleid.apple.com', sub: '000123.abc', raw_claims: {} };

describe("withAppleUserName (the `user` field of Apple's first callback)", () => {
  it('fills the name claims the ID token left empty', () => {
    const user = JSON.stringify({
      name: { firstName: 'Ada', lastName: 'Lovelace' },
      email: 'a@privaterelay.appleid.com',
    });
    expect(withAppleUserName(token, user)).toEqual({
      ...token,
      given_name: 'Ada',
      family_name: 'Lovelace',
      last_name: 'Lovelace',
    });
  });

  it('never overrides what the ID token says', () => {
    const signed = { ...token, given_name: 'Grace' };
    const user = JSON.stringify({ name: { firstName: 'Mallory' } });
    expect(withAppleUserName(signed, user)).toEqual(signed);
  });

  it('ignores a missing, malformed or oddly shaped field', () => {
    for (const user of [null, '', '{', '[]', '{"name":"Ada"}', '{"name":{"firstName":42}}'])
      expect(withAppleUserName(token, user), String(user)).toEqual(token);
  });
});
