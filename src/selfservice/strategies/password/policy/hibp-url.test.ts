import { describe, expect, it } from 'vitest';
import { parseHibpBase, rangeUrl } from './hibp-url.js';

const url = (host: string) => {
  const base = parseHibpBase(host);
  return base === undefined ? undefined : rangeUrl(base, '5BAA6').href;
};

describe('parseHibpBase and rangeUrl', () => {
  it('reaches a bare host over https, as Kratos formats it', () => {
    expect(url('api.pwnedpasswords.com')).toBe('https://api.pwnedpasswords.com/range/5BAA6');
  });

  it('keeps a port and a path prefix', () => {
    expect(url('hibp.internal:8443')).toBe('https://hibp.internal:8443/range/5BAA6');
    expect(url('hibp.internal/mirror/')).toBe('https://hibp.internal/mirror/range/5BAA6');
  });

  it('accepts a full http or https base URL', () => {
    expect(url('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/range/5BAA6');
    expect(url('https://mirror.example/hibp/')).toBe('https://mirror.example/hibp/range/5BAA6');
  });

  it.each([
    '',
    '   ',
    'ftp://mirror.example',
    'https://user:pass@mirror.example',
    'https://m.example/?q=1',
    'http://',
  ])('refuses %j', (host) => {
    expect(parseHibpBase(host)).toBeUndefined();
  });
});
