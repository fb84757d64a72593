import { describe, expect, it } from 'vitest';
import { compileTrustedProxies, parseProxyNetwork } from './trusted-proxies.js';

describe('parseProxyNetwork', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.0.2.1', { address: '192.0.2.1', prefix: 32, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['::ffff:10.0.0.0/104', { address: '::ffff:10.0.0.0', prefix: 104, family: 'ipv6' }],
  ])('reads %s', (text, expected) => {
    expect(parseProxyNetwork(text)).toEqual(expected);
  });

  it.each([
    '',
    'localhost',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '10.0.0.0/8/8',
    'fe80::1%eth0',
    '10.0.0.0/ 8',
  ])('rejects %j', (text) => {
    expect(parseProxyNetwork(text)).toBeUndefined();
  });
});

describe('compileTrustedProxies', () => {
  const trusted = compileTrustedProxies(['10.0.0.0/8', '2001:db8::/32', '::ffff:192.0.2.0/120']);

  it.each([
    ['10.255.0.1', true],
    ['11.0.0.1', false],
    ['::ffff:10.0.0.1', true],
    ['192.0.2.9', true],
    ['2001:db8:1::1', true],
    ['2001:db9::1', false],
    ['not an ip', false],
  ])('%s is trusted: %s', (ip, expected) => {
    expect(trusted.contains(ip)).toBe(expected);
  });

  it('refuses an entry that is not a network', () => {
    expect(() => compileTrustedProxies(['10.0.0.0/8', 'proxy.internal'])).toThrow(RangeError);
  });
});
