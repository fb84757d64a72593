import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedKeyRing, openAesGcm, sealAesGcm } from './aead.js';

describe('AES-256-GCM seals', () => {
  const key = randomBytes(32);

  it('open only under the key and additional data they were sealed with', () => {
    const aad = Buffer.from('flow 1');
    const sealed = sealAesGcm(key, 'the secret', aad);
    expect(openAesGcm(key, sealed, aad)?.toString('utf8')).toBe('the secret');
    expect(openAesGcm(randomBytes(32), sealed, aad)).toBeUndefined();
    expect(openAesGcm(key, sealed, Buffer.from('flow 2'))).toBeUndefined();
    expect(openAesGcm(key, sealed)).toBeUndefined();
  });

  it('refuse a changed or cut value, and never seal the same text the same way twice', () => {
    const sealed = sealAesGcm(key, 'the secret');
    const changed = Buffer.from(sealed);
    changed[14] = (changed[14] ?? 0) ^ 1;
    expect(openAesGcm(key, changed)).toBeUndefined();
    expect(openAesGcm(key, sealed.subarray(0, 20))).toBeUndefined();
    expect(sealAesGcm(key, 'the secret').equals(sealed)).toBe(false);
  });

  it('derive one key per secret and purpose', () => {
    const sessions = derivedKeyRing('session cookie v1');
    const other = derivedKeyRing('settings continuity cookie v1');
    expect(sessions('s').equals(sessions('s'))).toBe(true);
    expect(sessions('s').equals(other('s'))).toBe(false);
    expect(sessions('s').equals(sessions('t'))).toBe(false);
    expect(sessions('s')).toHaveLength(32);
  });
});
