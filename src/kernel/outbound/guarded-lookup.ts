import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { judgeAddress } from './ip-ranges.js';

/** Resolves a host name to every address it has. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/** Raised by the guarded lookup when a host resolves only to addresses it may not reach. */
export class BlockedAddressError extends Error implements NodeJS.ErrnoException {
  readonly code = 'E_BLOCKED_ADDRESS';
  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${hostname} resolves to ${address} (${range}), which outbound calls may not reach`);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A `lookup` for `net.connect` / `tls.connect` that resolves the name and keeps only public
 * addresses. The socket connects to what this returns, so the address checked is the address
 * connected to: a DNS answer that changes between a check and the connect (rebinding) cannot
 * slip a private address through. Non-public answers are dropped; when none are left the
 * connect fails with a BlockedAddressError.
 *
 * Node asks with `all: true` when it races address families (autoSelectFamily, the default
 * since Node 20) and for one address otherwise; both are answered.
 */
export function guardedLookup(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (resolved) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const candidates = resolved.filter((a) => family === undefined || a.family === family);
        const allowed = candidates.filter((a) => judgeAddress(a.address).public);
        const first = allowed[0];
        if (first === undefined) {
          const refused = candidates[0];
          const error =
            refused === undefined
              ? Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' })
              : new BlockedAddressError(hostname, refused.address, rangeOf(refused.address));
          callback(error, '');
          return;
        }
        if (options.all === true) callback(null, allowed);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

function rangeOf(address: string): string {
  const verdict = judgeAddress(address);
  return verdict.public ? 'public' : verdict.range;
}
