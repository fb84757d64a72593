import { describe, expect, it } from 'vitest';
import { type ClientAddressInput, clientIp } from './client-ip.js';
import { compileTrustedProxies } from './trusted-proxies.js';

const PROXIES = ['10.0.0.0/8', '2001:db8:ffff::/48', '127.0.0.1'];
const trusted = compileTrustedProxies(PROXIES);

interface Case {
  readonly name: string;
  readonly remoteAddress: string | undefined;
  readonly xForwardedFor?: string | readonly string[];
  readonly expected: string | undefined;
}

const cases: Case[] = [
  { name: 'a direct client without the header', remoteAddress: '203.0.113.9', expected: '203.0.113.9' },
  {
    name: 'a spoofed header from an untrusted peer',
    remoteAddress: '203.0.113.9',
    xForwardedFor: '198.51.100.1',
    expected: '203.0.113.9',
  },
  {
    name: 'a spoofed trusted address from an untrusted peer',
    remoteAddress: '203.0.113.9',
    xForwardedFor: '10.0.0.7',
    expected: '203.0.113.9',
  },
  {
    name: 'one trusted proxy',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '198.51.100.1',
    expected: '198.51.100.1',
  },
  {
    name: 'a chain of trusted proxies',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '198.51.100.1, 10.1.1.1, 10.2.2.2',
    expected: '198.51.100.1',
  },
  {
    name: 'entries the client forged left of the real one',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '1.2.3.4, 10.9.9.9, 198.51.100.1',
    expected: '198.51.100.1',
  },
  {
    name: 'repeated headers, as an array',
    remoteAddress: '10.0.0.2',
    xForwardedFor: ['6.6.6.6', '198.51.100.1, 10.1.1.1'],
    expected: '198.51.100.1',
  },
  {
    name: 'a trusted peer given as IPv4-mapped IPv6',
    remoteAddress: '::ffff:10.0.0.1',
    xForwardedFor: '198.51.100.1',
    expected: '198.51.100.1',
  },
  {
    name: 'an untrusted IPv4-mapped peer, unwrapped',
    remoteAddress: '::ffff:203.0.113.9',
    xForwardedFor: '198.51.100.1',
    expected: '203.0.113.9',
  },
  {
    name: 'IPv6 proxies and client, canonicalised',
    remoteAddress: '2001:db8:ffff::1',
    xForwardedFor: '2001:DB8:0:0:0:0:0:42, 2001:db8:ffff:1::2',
    expected: '2001:db8::42',
  },
  {
    name: 'ports some proxies append',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '[2001:db8::7]:51000, 10.1.1.1:443',
    expected: '2001:db8::7',
  },
  {
    name: 'a loopback proxy given as one address',
    remoteAddress: '127.0.0.1',
    xForwardedFor: '198.51.100.1',
    expected: '198.51.100.1',
  },
  {
    name: 'a loopback address not listed',
    remoteAddress: '127.0.0.2',
    xForwardedFor: '198.51.100.1',
    expected: '127.0.0.2',
  },
  {
    name: 'garbage passed on by a trusted proxy: the last proxy we can name',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '198.51.100.1, unknown, 10.1.1.1',
    expected: '10.1.1.1',
  },
  {
    name: 'a request from inside the proxy network',
    remoteAddress: '10.0.0.2',
    xForwardedFor: '10.3.3.3',
    expected: '10.3.3.3',
  },
  { name: 'a trusted proxy without the header', remoteAddress: '10.0.0.2', expected: '10.0.0.2' },
  {
    name: 'empty entries',
    remoteAddress: '10.0.0.2',
    xForwardedFor: ' , 198.51.100.1 ,, ',
    expected: '198.51.100.1',
  },
  {
    name: 'a peer that is gone',
    remoteAddress: undefined,
    xForwardedFor: '198.51.100.1',
    expected: undefined,
  },
];

describe('clientIp', () => {
  it.each(cases)('$name', ({ remoteAddress, xForwardedFor, expected }) => {
    const input: ClientAddressInput = { remoteAddress, xForwardedFor };
    expect(clientIp(input, trusted)).toBe(expected);
    expect(clientIp(input, PROXIES)).toBe(expected);
  });

  it('ignores the header entirely when no proxy is trusted', () => {
    expect(clientIp({ remoteAddress: '10.0.0.2', xForwardedFor: '198.51.100.1' }, [])).toBe('10.0.0.2');
  });
});
