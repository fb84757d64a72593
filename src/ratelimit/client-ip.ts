import type { IncomingHttpHeaders } from 'node:http';
import { canonicalIp } from './ip.js';
import { compileTrustedProxies, type TrustedProxies } from './trusted-proxies.js';

/** What a request says about where it came from. */
export interface ClientAddressInput {
  /** The direct peer (`request.socket.remoteAddress`); undefined once the socket is gone. */
  readonly remoteAddress: string | undefined;
  /** The `X-Forwarded-For` header; Node joins repeated headers with `, `, but arrays are accepted too. */
  readonly xForwardedFor: string | readonly string[] | undefined;
}

/**
 * The client's IP in canonical form (see `canonicalIp`), or undefined when the peer is unknown.
 *
 * Each trusted proxy appends the address it received the request from, so X-Forwarded-For is
 * read from the right: the rightmost entry not inside `trustedProxies` is the client. Entries
 * further left were written by the client and may be forged. When the direct peer is not a
 * trusted proxy the header is ignored entirely: anyone can send one.
 *
 * @param trustedProxies Compiled with `compileTrustedProxies` (do this once); a list of CIDRs
 * is compiled on each call.
 */
export function clientIp(
  input: ClientAddressInput,
  trustedProxies: TrustedProxies | readonly string[],
): string | undefined {
  const trusted = isCompiled(trustedProxies) ? trustedProxies : compileTrustedProxies(trustedProxies);
  const peer = input.remoteAddress === undefined ? undefined : canonicalIp(input.remoteAddress);
  if (peer === undefined || !trusted.contains(peer)) return peer;

  const hops = forwardedHops(input.xForwardedFor);
  let nearest = peer;
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = canonicalIp(withoutPort(hops[index] ?? ''));
    // A trusted proxy passed on something that is not an address: nothing left of it can be
    // attributed, so count the request against the last proxy we could identify.
    if (hop === undefined) return nearest;
    if (!trusted.contains(hop)) return hop;
    nearest = hop;
  }
  // Every hop is a trusted proxy: the request started inside the proxies' own network.
  return nearest;
}

/** {@link clientIp} of a Node request (its socket's peer and its `X-Forwarded-For`). */
export function requestClientIp(
  request: {
    readonly socket: { readonly remoteAddress?: string | undefined };
    readonly headers: IncomingHttpHeaders;
  },
  trustedProxies: TrustedProxies | readonly string[],
): string | undefined {
  return clientIp(
    { remoteAddress: request.socket.remoteAddress, xForwardedFor: request.headers['x-forwarded-for'] },
    trustedProxies,
  );
}

function isCompiled(value: TrustedProxies | readonly string[]): value is TrustedProxies {
  return !Array.isArray(value);
}

function forwardedHops(header: string | readonly string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = typeof header === 'string' ? header : header.join(',');
  return joined
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

// Some proxies (Azure Application Gateway, some CDNs) append the port: `1.2.3.4:5678`, `[2001:db8::1]:443`.
function withoutPort(entry: string): string {
  const bracketed = /^\[([^\]]+)\](?::[0-9]+)?$/.exec(entry);
  if (bracketed) return bracketed[1] ?? '';
  const ipv4WithPort = /^([0-9.]+):[0-9]+$/.exec(entry);
  return ipv4WithPort ? (ipv4WithPort[1] ?? '') : entry;
}
