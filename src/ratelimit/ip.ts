import { isIPv4, isIPv6 } from 'node:net';

/**
 * Prefix length by which IPv6 clients are counted: a subscriber usually holds a whole /64, so
 * counting single addresses would let one attacker rotate through 2^64 fresh counters.
 */
export const IPV6_COUNTED_PREFIX = 64;

/**
 * `text` as one canonical spelling, so that equal addresses share a counter: IPv4 as a dotted
 * quad (IPv4-mapped IPv6 such as `::ffff:10.0.0.1` unwrapped to `10.0.0.1`), IPv6 in RFC 5952
 * form without a zone (`2001:DB8:0::1%eth0` -> `2001:db8::1`). Undefined when `text` is not an IP.
 */
export function canonicalIp(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (!isIPv6(text)) return undefined;
  const address = withoutZone(text);
  const groups = ipv6Groups(address);
  if (isIpv4Mapped(groups)) return ipv4FromGroups(groups[6] ?? 0, groups[7] ?? 0);
  // WHATWG URL parsing canonicalises IPv6 hosts per RFC 5952 (lower case, longest zero run as ::).
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
}

/**
 * What a client IP is counted by: the address itself for IPv4, its /{@link IPV6_COUNTED_PREFIX}
 * network for IPv6 (`2001:db8:1:2::/64`). Text that is not an IP is returned unchanged.
 */
export function ipCountingKey(ip: string): string {
  const canonical = canonicalIp(ip);
  if (canonical === undefined || isIPv4(canonical)) return canonical ?? ip;
  const network = ipv6Groups(canonical).slice(0, IPV6_COUNTED_PREFIX / 16);
  return `${network.map((group) => group.toString(16)).join(':')}::/${IPV6_COUNTED_PREFIX}`;
}

function withoutZone(address: string): string {
  const zone = address.indexOf('%');
  return zone < 0 ? address : address.slice(0, zone);
}

// Eight 16-bit groups of an address that isIPv6() accepted: at most one `::`, maybe a dotted tail.
function ipv6Groups(address: string): number[] {
  const [head = '', tail] = address.split('::');
  const left = groupsOf(head);
  if (tail === undefined) return left;
  const right = groupsOf(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function groupsOf(part: string): number[] {
  if (part === '') return [];
  return part
    .split(':')
    .flatMap((group) => (group.includes('.') ? ipv4Groups(group) : [parseInt(group, 16)]));
}

function ipv4Groups(dotted: string): number[] {
  const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
