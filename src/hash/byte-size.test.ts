import { describe, expect, it } from 'vitest';
import { bytesToKiB, parseByteSize } from './byte-size.js';

describe('parseByteSize', () => {
  it('uses binary units like Kratos (go-bytesize)', () => {
    expect(parseByteSize('1B')).toBe(1);
    expect(parseByteSize('19456KB')).toBe(19456 * 1024);
    expect(parseByteSize('19MB')).toBe(19 * 1024 * 1024);
    expect(parseByteSize('128MB')).toBe(128 * 1024 * 1024);
    expect(parseByteSize('1GB')).toBe(1024 ** 3);
    expect(parseByteSize('2TB')).toBe(2 * 1024 ** 4);
  });

  it('accepts the spellings go-bytesize accepts', () => {
    expect(parseByteSize(' 19 mb ')).toBe(19 * 1024 * 1024);
    expect(parseByteSize('4 kilobytes')).toBe(4096);
    expect(parseByteSize('0B')).toBe(0);
  });

  it('rejects anything else', () => {
    for (const bad of ['', 'MB', '19', '1.5MB', '-1MB', '19MiB', '19 M B', '12QB', '99999999EB']) {
      expect(parseByteSize(bad), bad).toBeUndefined();
    }
  });
});

describe('bytesToKiB', () => {
  it('truncates like Kratos', () => {
    expect(bytesToKiB(19 * 1024 * 1024)).toBe(19456);
    expect(bytesToKiB(1535)).toBe(1);
  });
});
