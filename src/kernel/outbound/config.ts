/** `clients.http.*`, as Kratos's config schema defines it (defaults: off, no exceptions). */
export interface OutboundHttpConfig {
  readonly disallowPrivateIpRanges: boolean;
  readonly privateIpExceptionUrls: readonly string[];
}

/**
 * Reads `clients.http` from a config document that already passed schema validation. Takes
 * the document structurally so the kernel does not depend on the config module.
 */
export function outboundHttpConfig(document: { clients?: Record<string, unknown> }): OutboundHttpConfig {
  const http = document.clients?.http;
  const section = typeof http === 'object' && http !== null ? (http as Record<string, unknown>) : {};
  const exceptions = section.private_ip_exception_urls;
  return {
    disallowPrivateIpRanges: section.disallow_private_ip_ranges === true,
    privateIpExceptionUrls: Array.isArray(exceptions)
      ? exceptions.filter((u): u is string => typeof u === 'string' && u !== '')
      : [],
  };
}
