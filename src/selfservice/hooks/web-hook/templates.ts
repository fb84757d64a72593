import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundHttp } from '../../../kernel/http-client.js';

/** Jsonnet templates are small; a bigger one is a mistake or an attack. */
const MAX_TEMPLATE_BYTES = 512 * 1024;

/** How long a loaded template is used before it is read again: an hour, as Kratos's fetcher cache. */
const TEMPLATE_TTL_MS = 60 * 60_000;

/**
 * Loads Jsonnet templates (web hook bodies, courier HTTP bodies, tokenizer claims mappers) by
 * URI — `base64://`, `file://` (relative paths from the working directory, as Kratos),
 * `http(s)://` through the outbound client — and keeps each for an hour once loaded: fetched
 * once per hour, not once per request, and an edited file or URL is picked up without a restart.
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
  async function fetchTemplate(uri: string): Promise<string> {
    if (uri.startsWith('base64://'))
      return Buffer.from(uri.slice('base64://'.length), 'base64').toString('utf8');
    if (uri.startsWith('file://')) {
      const rest = uri.slice('file://'.length);
      // `file:///abs/path` is a URL; `file://./rel` and `file://rel` are paths from the cwd.
      const path = rest.startsWith('/') ? fileURLToPath(uri) : resolve(deps.cwd, rest);
      const text = await readFile(isAbsolute(path) ? path : resolve(deps.cwd, path), 'utf8');
      if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES) throw new Error(`the template ${uri} is too large`);
      return text;
    }
    if (uri.startsWith('http://') || uri.startsWith('https://')) {
      const response = await deps.http.request({
        url: uri,
        method: 'GET',
        maxResponseBytes: MAX_TEMPLATE_BYTES,
      });
      if (response.status !== 200)
        throw new Error(`fetching the template ${uri} answered ${response.status}`);
      return response.body.toString('utf8');
    }
    throw new Error(`unsupported template URI ${uri}`);
  }
  return {
    load(uri) {
      const cached = cache.get(uri);
      if (cached !== undefined && now() - cached.loadedAt < ttlMs) return cached.text;
      const entry = { text: fetchTemplate(uri), loadedAt: now() };
      // A failed load is not kept: the next request tries again (a file may be fixed).
      entry.text.catch(() => {
        if (cache.get(uri) === entry) cache.delete(uri);
      });
      cache.set(uri, entry);
      return entry.text;
    },
  };
}
