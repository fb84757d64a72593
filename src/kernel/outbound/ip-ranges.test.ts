import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { exceptionMatcher } from './exception-urls.js';
import { BlockedAddressError, guardedLookup } from './guarded-lookup.js';
import { ipLiteral, judgeAddress } from './ip-ranges.js';

describe('judgeAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'this-network'],
    ['0.1.2.3', 'this-network'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'ietf-protocol'],
    ['::127.0.0.1', 'reserved'],
    ['100::1', 'reserved'],
  ])('refuses %s (%s)', (address, range) => {
    expect(judgeAddress(address)).toEqual({ public: false, range });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:82a::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', (address) => {
    expect(judgeAddress(address)).toEqual({ public: true });
  });

  it('refuses what is not an IP address', () => {
    expect(judgeAddress('example.com')).toEqual({ public: false, range: 'not-an-ip' });
  });

  it('finds IP literals in URL host names', () => {
    expect(ipLiteral('[::1]')).toBe('::1');
    expect(ipLiteral(new URL('http://0x7f.1/').hostname)).toBe('127.0.0.1');
    expect(ipLiteral(new URL('http://2130706433/').hostname)).toBe('127.0.0.1');
    expect(ipLiteral('example.com')).toBeUndefined();
  });
});

describe('guardedLookup', () => {
  const answers: LookupAddress[] = [
    { address: '127.0.0.1', family: 4 },
    { address: '93.184.215.14', family: 4 },
    { address: '::1', family: 6 },
    { address: '2606:4700:4700::1111', family: 6 },
  ];
  const lookup = guardedLookup(async () => answers);

  function ask(options: { all?: boolean; family?: number }) {
    return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>(
      (resolve) =>
        lookup('rebind.example', options, (error, address, family) => resolve({ error, address, family })),
    );
  }

  it('hands the socket only public addresses', async () => {
    expect(await ask({ all: true })).toMatchObject({
      error: null,
      address: [
        { address: '93.184.215.14', family: 4 },
        { address: '2606:4700:4700::1111', family: 6 },
      ],
    });
    expect(await ask({})).toMatchObject({ error: null, address: '93.184.215.14', family: 4 });
    expect(await ask({ family: 6 })).toMatchObject({ address: '2606:4700:4700::1111', family: 6 });
  });

  it('fails with BlockedAddressError when only private addresses are left', async () => {
    const onlyPrivate = guardedLookup(async () => [{ address: '169.254.169.254', family: 4 }]);
    const error = await new Promise((resolve) => onlyPrivate('metadata', { all: true }, (e) => resolve(e)));
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error).toMatchObject({ address: '169.254.169.254', range: 'link-local' });
  });

  it('passes resolver failures through', async () => {
    const failing = guardedLookup(async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere'), { code: 'ENOTFOUND' });
    });
    const error = await new Promise((resolve) => failing('nowhere', {}, (e) => resolve(e)));
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('exceptionMatcher (clients.http.private_ip_exception_urls)', () => {
  it('matches a plain URL exactly, ignoring query and fragment', () => {
    const match = exceptionMatcher(['http://hooks.internal/signup']);
    expect(match(new URL('http://hooks.internal/signup'))).toBe(true);
    expect(match(new URL('http://hooks.internal/signup?x=1#f'))).toBe(true);
    expect(match(new URL('http://hooks.internal/signup/more'))).toBe(false);
    expect(match(new URL('http://hooks.internal/Signup'))).toBe(false);
    expect(match(new URL('https://hooks.internal/signup'))).toBe(false);
  });

  it('matches an origin written without a path', () => {
    expect(exceptionMatcher(['http://hooks.internal'])(new URL('http://hooks.internal/'))).toBe(true);
  });

  it('understands globs with . and / as separators', () => {
    const match = exceptionMatcher(['http://*.svc.cluster.local/**', 'https://{a,b}.internal/hook-?']);
    expect(match(new URL('http://fn.svc.cluster.local/a/b'))).toBe(true);
    expect(match(new URL('http://x.fn.svc.cluster.local/a'))).toBe(false);
    expect(match(new URL('https://b.internal/hook-1'))).toBe(true);
    expect(match(new URL('https://c.internal/hook-1'))).toBe(false);
  });

  it('matches nothing when empty', () => {
    expect(exceptionMatcher([])(new URL('http://localhost/'))).toBe(false);
  });
});
