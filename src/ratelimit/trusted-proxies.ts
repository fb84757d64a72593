import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** The reverse proxies whose X-Forwarded-For entries are believed. */
export interface TrustedProxies {
  /** True when `ip` (canonical, see `canonicalIp`) lies inside one of the configured networks. */
  contains(ip: string): boolean;
}

/** One parsed `trusted_proxies` entry. */
export interface ProxyNetwork {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Parses `10.0.0.0/8`, `2001:db8::/32`, `::ffff:10.0.0.0/104` or a bare address (a single host);
 * undefined when `text` is none of these. Zones (`fe80::1%eth0`) are refused: they name an
 * interface of this machine, not a network.
 */
export function parseProxyNetwork(text: string): ProxyNetwork | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (family === undefined) return undefined;
  const bits = family === 'ipv4' ? 32 : 128;
  if (slash < 0) return { address, prefix: bits, family };
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^[0-9]{1,3}$/.test(prefixText) || prefix > bits) return undefined;
  return { address, prefix, family };
}

/**
 * Compiles `trusted_proxies` once, at startup. node:net's BlockList does the matching; it also
 * matches IPv4-mapped IPv6 (`::ffff:10.0.0.1`) against IPv4 networks and the reverse.
 *
 * @throws RangeError naming the first entry that {@link parseProxyNetwork} rejects; config
 * validation reports these earlier, so this only fires on a programming mistake.
 */
export function compileTrustedProxies(networks: readonly string[]): TrustedProxies {
  // No proxy trusted (the default): nothing to match, and no SocketAddress built per login to
  // find that out.
  if (networks.length === 0) return { contains: () => false };
  const list = new BlockList();
  for (const text of networks) {
    const network = parseProxyNetwork(text);
    if (network === undefined) throw new RangeError(`ratelimit: not an IP network: ${JSON.stringify(text)}`);
    list.addSubnet(network.address, network.prefix, network.family);
  }
  return {
    contains: (ip) => (isIPv4(ip) || isIPv6(ip)) && list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6'),
  };
}
