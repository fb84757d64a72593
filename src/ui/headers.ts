import type { FastifyReply } from 'fastify';

/** Pages that show codes or links with secrets in their URL send no Referer anywhere. */
export type ReferrerPolicy = 'no-referrer' | 'same-origin';

/** What a page's Content-Security-Policy allows beyond its own origin. */
export interface CspSources {
  /** Origins images may come from (the configured logo's). */
  readonly images: readonly string[];
  /**
   * Origins forms may post to, and that the redirects after a post may lead to (browsers apply
   * `form-action` to the whole redirect chain): the public origin, the flows' UIs and the
   * allowed return URLs.
   */
  readonly formTargets: readonly string[];
}

/** A CSP source expression for a URL or an allow-list entry: its origin, or undefined. */
export function cspSource(url: string): string | undefined {
  // `https://*.example.com/` entries of allowed_return_urls are CSP host sources as they are.
  const wildcard = /^(https?):\/\/\*\.([a-z0-9.-]+)(:[0-9]+)?(\/|$)/i.exec(url);
  if (wildcard) return `${wildcard[1]?.toLowerCase()}://*.${wildcard[2]?.toLowerCase()}${wildcard[3] ?? ''}`;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
    return parsed.origin;
  } catch {
    return undefined;
  }
}

function unique(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}

/**
 * The pages' policy: nothing by default, the stylesheet and images from this origin (and
 * `data:` images, which QR codes and the favicon use), forms to the configured targets,
 * never framed, no `<base>`. No script runs at all.
 */
export function contentSecurityPolicy(sources: CspSources, extraFormTargets: readonly string[] = []): string {
  const images = unique(["'self'", 'data:', ...sources.images.map(cspSource)]);
  const forms = unique(["'self'", ...[...sources.formTargets, ...extraFormTargets].map(cspSource)]);
  return [
    "default-src 'none'",
    "style-src 'self'",
    `img-src ${images.join(' ')}`,
    `form-action ${forms.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Sets the headers every UI page carries. */
export function setPageHeaders(
  reply: FastifyReply,
  options: { csp: string; referrer: ReferrerPolicy },
): void {
  reply
    .header('content-security-policy', options.csp)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', options.referrer)
    .header('cache-control', 'no-store')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}
