import { DEFAULT_PORTS } from '../defaults.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument, ListenerConfig, ListenerDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** The public and admin listeners. Base URLs must be absolute http(s) URLs. */
export function serveConfig(
  document: KratosConfigDocument,
): AreaResult<{ public: ListenerConfig; admin: ListenerConfig }> {
  const issues: ConfigIssue[] = [];
  const publicListener = listenerConfig('public', document.serve?.public, issues);
  const adminListener = listenerConfig('admin', document.serve?.admin, issues);
  if (publicListener === undefined || adminListener === undefined) return { ok: false, issues };
  return { ok: true, value: { public: publicListener, admin: adminListener } };
}

function listenerConfig(
  name: 'public' | 'admin',
  listener: ListenerDocument | undefined,
  issues: ConfigIssue[],
): ListenerConfig | undefined {
  // applyDefaults filled host, port and base_url; the fallbacks only keep this total.
  const host = listener?.host ?? '0.0.0.0';
  const port = listener?.port ?? DEFAULT_PORTS[name];
  const baseUrl = parseBaseUrl(listener?.base_url ?? `http://127.0.0.1:${port}/`);
  if (baseUrl === undefined) {
    // The schema allows a relative reference here; links and redirects need an absolute URL.
    issues.push({ path: `serve.${name}.base_url`, message: 'must be an absolute http:// or https:// URL' });
    return undefined;
  }
  return { host, port, baseUrl };
}

/** Parses a base URL and makes its path end with `/`, so `new URL('path', base)` appends. */
export function parseBaseUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
