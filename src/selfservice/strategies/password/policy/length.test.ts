import { describe, expect, it } from 'vitest';
import { codePointLength } from './length.js';

describe('codePointLength', () => {
  it('counts ASCII characters', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('password')).toBe(8);
  });

  it('counts an emoji outside the BMP as one character, not two UTF-16 units', () => {
    expect('😀'.length).toBe(2);
    expect(codePointLength('😀')).toBe(1);
    expect(codePointLength('😀😀😀😀')).toBe(4);
  });

  it('counts multi-byte BMP characters as one each, not by UTF-8 bytes', () => {
    expect(Buffer.byteLength('äöü€', 'utf8')).toBe(9);
    expect(codePointLength('äöü€')).toBe(4);
  });

  it('counts a combining sequence as its code points, as Go counts runes', () => {
    // "e" + COMBINING ACUTE ACCENT: one grapheme, two runes.
    expect(codePointLength('e\u0301')).toBe(2);
  });

  it('counts a lone surrogate as one', () => {
    expect(codePointLength('a\ud800b')).toBe(3);
  });
});
