import { describe, expect, it } from 'vitest';
import { isCommonPassword, preloadCommonPasswords } from './common-passwords.js';

describe('isCommonPassword', () => {
  it('finds passwords from the bundled list', async () => {
    // Both are in zxcvbn-ts's passwords-common (ranks 2 and 272).
    expect(await isCommonPassword('password')).toBe(true);
    expect(await isCommonPassword('qwerty123')).toBe(true);
  });

  it('compares case-insensitively', async () => {
    expect(await isCommonPassword('PassWord')).toBe(true);
    expect(await isCommonPassword('QWERTY123')).toBe(true);
  });

  it('does not find an uncommon password', async () => {
    expect(await isCommonPassword('violet-harbour-lantern-92')).toBe(false);
  });

  it('matches whole entries only', async () => {
    expect(await isCommonPassword('password-but-longer-and-unlisted')).toBe(false);
  });

  it('can be preloaded and then answers from the same list', async () => {
    await preloadCommonPasswords();
    expect(await isCommonPassword('iloveyou')).toBe(true);
  });
});
