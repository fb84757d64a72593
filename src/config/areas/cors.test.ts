import { describe, expect, it } from 'vitest';
import { originAllowed } from './cors.js';

describe('originAllowed', () => {
  const allowed = ['https://app.example.com', 'https://*.example.org'];

  it.each([
    ['https://app.example.com', true],
    ['https://APP.example.com', true],
    ['https://eu.example.org', true],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://app.example.com.evil.com', false],
    ['https://evil.com', false],
    ['http://app.example.com', false],
    ['https://evilexample.org', false],
  ])('%s -> %s', (origin, expected) => {
    expect(originAllowed(origin, allowed)).toBe(expected);
  });

  it('allows everything with *', () => {
    expect(originAllowed('https://anything.test', ['*'])).toBe(true);
  });
});
