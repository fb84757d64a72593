import { describe, expect, it } from 'vitest';
import { canonicalIp, ipCountingKey } from './ip.js';

describe('canonicalIp', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::FFFF:a00:1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:10.0.0.1', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1', '::1'],
    ['::', '::'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ])('%s -> %s', (text, expected) => {
    expect(canonicalIp(text)).toBe(expected);
  });

  it.each(['', 'localhost', '1.2.3.4:80', '01.2.3.4', ' 1.2.3.4', '[::1]', '1.2.3'])('rejects %j', (text) => {
    expect(canonicalIp(text)).toBeUndefined();
  });
});

describe('ipCountingKey', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an ip', 'not an ip'],
  ])('%s -> %s', (ip, expected) => {
    expect(ipCountingKey(ip)).toBe(expected);
  });
});
