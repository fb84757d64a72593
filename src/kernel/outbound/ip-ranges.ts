import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which IP addresses an SSRF-guarded client may connect to: only publicly routable unicast
 * ones. Everything in the IANA special-purpose registries is refused (loopback, RFC 1918,
 * link-local with the 169.254.169.254 cloud metadata endpoint, CGNAT, unique-local,
 * multicast, documentation, benchmarking, reserved), and IPv6 forms that carry an IPv4
 * address (IPv4-mapped, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
export type AddressVerdict = { public: true } | { public: false; range: string };

type Cidr = readonly [prefix: readonly number[], bits: number, range: string];

const V4_BLOCKED: readonly Cidr[] = [
  [[0, 0, 0, 0], 8, 'this-network'],
  [[10, 0, 0, 0], 8, 'private'],
  [[100, 64, 0, 0], 10, 'cgnat'],
  [[127, 0, 0, 0], 8, 'loopback'],
  [[169, 254, 0, 0], 16, 'link-local'],
  [[172, 16, 0, 0], 12, 'private'],
  [[192, 0, 0, 0], 24, 'ietf-protocol'],
  [[192, 0, 2, 0], 24, 'documentation'],
  [[192, 88, 99, 0], 24, '6to4-relay'],
  [[192, 168, 0, 0], 16, 'private'],
  [[198, 18, 0, 0], 15, 'benchmarking'],
  [[198, 51, 100, 0], 24, 'documentation'],
  [[203, 0, 113, 0], 24, 'documentation'],
  [[224, 0, 0, 0], 4, 'multicast'],
  [[240, 0, 0, 0], 4, 'reserved'],
];

/** Blocked ranges inside 2000::/3, the only IPv6 block with public unicast addresses. */
const V6_BLOCKED_GLOBAL: readonly Cidr[] = [
  // IETF protocol assignments, Teredo (2001::/32, which hides an IPv4 address) and ORCHID.
  [[0x20, 0x01, 0x00], 23, 'ietf-protocol'],
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x3f, 0xff, 0x00], 20, 'documentation'],
];

/** Named ranges outside 2000::/3, for clearer messages; everything there is refused. */
const V6_NAMED: readonly Cidr[] = [
  [new Array<number>(16).fill(0), 128, 'unspecified'],
  [[...new Array<number>(15).fill(0), 1], 128, 'loopback'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xfc, 0x00], 7, 'unique-local'],
  [[0xff, 0x00], 8, 'multicast'],
];

function inCidr(bytes: readonly number[], [prefix, bits]: Cidr): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(address: string): number[] {
  return address.split('.').map(Number);
}

/** 16 bytes of a valid IPv6 address (as `isIPv6` accepts it, zone id allowed). */
function parseV6(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // A dotted IPv4 tail (::ffff:127.0.0.1) is the last two groups.
    tail.push(...parseV4(text.slice(lastColon + 1)));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const left = groupsOf(head);
  const right = rest === undefined ? [] : groupsOf(rest);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function judgeV4(bytes: readonly number[]): AddressVerdict {
  const hit = V4_BLOCKED.find((cidr) => inCidr(bytes, cidr));
  return hit === undefined ? { public: true } : { public: false, range: hit[2] };
}

function judgeV6(bytes: readonly number[]): AddressVerdict {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64): the IPv4 address decides.
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return judgeV4(bytes.slice(12));
  if (inCidr(bytes, [[0x00, 0x64, 0xff, 0x9b], 32, 'nat64']) && zeros(4, 12)) return judgeV4(bytes.slice(12));
  // 6to4 (2002:aabb:ccdd::/48) tunnels to the IPv4 address aa.bb.cc.dd.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return judgeV4(bytes.slice(2, 6));
  if (!inCidr(bytes, [[0x20], 3, 'global'])) {
    const named = V6_NAMED.find((cidr) => inCidr(bytes, cidr));
    return { public: false, range: named?.[2] ?? 'reserved' };
  }
  const hit = V6_BLOCKED_GLOBAL.find((cidr) => inCidr(bytes, cidr));
  return hit === undefined ? { public: true } : { public: false, range: hit[2] };
}

/** Whether `address` (an IPv4 or IPv6 literal, without brackets) is publicly routable. */
export function judgeAddress(address: string): AddressVerdict {
  if (isIPv4(address)) return judgeV4(parseV4(address));
  if (isIPv6(address)) return judgeV6(parseV6(address));
  return { public: false, range: 'not-an-ip' };
}

/** The IP literal a URL hostname holds (`[::1]` unbracketed), or undefined for a name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIPv4(bare) || isIPv6(bare) ? bare : undefined;
}
