import { describe, expect, it } from 'vitest';
import { equalBytes } from './constant-time.js';
import { decodeBase64, decodeBase64Raw, encodeBase64Raw } from './encoding.js';

describe('decodeBase64', () => {
  it('decodes padded base64', () => {
    expect(decodeBase64('dGVzdA==')?.toString()).toBe('test');
    expect(decodeBase64('')?.length).toBe(0);
  });

  it('rejects what Go strict decoding rejects', () => {
    for (const bad of ['dGVzdA', 'dGVzdA=', 'dGVz dA==', '(dGVzdA==', 'dGVzdB==', 'dG=zdA==']) {
      expect(decodeBase64(bad), bad).toBeUndefined();
    }
  });

  it('tolerates non-zero trailing bits when not strict', () => {
    expect(decodeBase64('dGVzdB==', false)?.toString()).toBe('test');
  });
});

describe('decodeBase64Raw', () => {
  it('round-trips with encodeBase64Raw', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253]);
    const encoded = encodeBase64Raw(bytes);
    expect(encoded).not.toContain('=');
    expect(decodeBase64Raw(encoded)).toEqual(bytes);
  });

  it('rejects padding, stray characters and impossible lengths', () => {
    for (const bad of ['dGVzdA==', 'dGVzd', 'dGV$dA', 'dGVzdB']) {
      expect(decodeBase64Raw(bad), bad).toBeUndefined();
    }
  });
});

describe('equalBytes', () => {
  it('compares content and length', () => {
    expect(equalBytes(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(equalBytes(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(equalBytes(Buffer.from('abc'), Buffer.from('abcd'))).toBe(false);
  });
});
