import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver, semver } from './semver.js';

describe('semver (blang/semver)', () => {
  it('orders versions as blang/semver: pre-releases first, numbers below text', () => {
    const ordered = [
      '0.19.0-beta.1',
      '0.32.0-alpha',
      '0.32.0-beta.1',
      '0.32.0-beta.2',
      '0.32.0-beta.11',
      '0.32.0-beta.x',
      '0.32.0',
      '0.37.0',
      '26.2.0',
    ].map(semver);
    for (let i = 1; i < ordered.length; i++) {
      expect(compareSemver(ordered[i - 1] as never, ordered[i] as never)).toBe(-1);
      expect(compareSemver(ordered[i] as never, ordered[i - 1] as never)).toBe(1);
    }
    expect(compareSemver(semver('1.0.0+build.1'), semver('1.0.0+other'))).toBe(0);
  });

  it('refuses what blang/semver refuses', () => {
    for (const text of [
      '',
      'latest',
      '1.2',
      '1.2.x',
      '1.02.3',
      '1.2.3-',
      '1.2.3-01',
      '1.2.3+',
      '1.2.3+a_b',
      '1.2.3-a$',
    ])
      expect(parseSemver(text).ok, text).toBe(false);
    for (const text of ['0.0.0', '1.2.3-0', '1.2.3-rc.1+build.5', '18446744073709551615.0.0'])
      expect(parseSemver(text).ok, text).toBe(true);
    expect(parseSemver('18446744073709551616.0.0').ok).toBe(false);
  });
});
