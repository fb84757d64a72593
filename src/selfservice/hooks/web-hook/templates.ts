import type { OutboundHttp } from '../../../kernel/http-client.js';
import { readTemplateRef } from './template-ref.js';

/** How long a loaded template is used before it is read again: an hour, as Kratos's fetcher cache. */
const TEMPLATE_TTL_MS = 60 * 60_000;

/**
 * Loads Jsonnet templates (web hook bodies, courier HTTP bodies, tokenizer claims mappers) by
 * URI — `base64://`, `file://` (relative paths from the working directory, as Kratos),
 * `http(s)://` through the outbound client; see template-ref.ts — and keeps each for an hour
 * once loaded: fetched once per hour, not once per request, and an edited file or URL is picked
 * up without a restart.
 */
export interface TemplateSource {
  load(uri: string): Promise<string>;
}

export interface TemplateSourceDeps {
  cwd: string;
  http: OutboundHttp;
  /** How long a template is kept; an hour unless set. */
  ttlMs?: number;
  now?: () => number;
}

export function createTemplateSource(deps: TemplateSourceDeps): TemplateSource {
  const ttlMs = deps.ttlMs ?? TEMPLATE_TTL_MS;
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { text: Promise<string>; loadedAt: number }>();
  return {
    load(uri) {
      const cached = cache.get(uri);
      if (cached !== undefined && now() - cached.loadedAt < ttlMs) return cached.text;
      const entry = { text: readTemplateRef(uri, deps.cwd, deps.http), loadedAt: now() };
      // A failed load is not kept: the next request tries again (a file may be fixed).
      entry.text.catch(() => {
        if (cache.get(uri) === entry) cache.delete(uri);
      });
      cache.set(uri, entry);
      return entry.text;
    },
  };
}
