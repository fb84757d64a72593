import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundHttp } from '../../../kernel/http-client.js';

/** Jsonnet templates are small; a bigger one is a mistake or an attack. */
const MAX_TEMPLATE_BYTES = 512 * 1024;

/**
 * Loads web hook body templates by URI — `base64://`, `file://` (relative paths from the
 * working directory, as Kratos), `http(s)://` through the outbound client — and keeps each
 * once loaded: a template is fetched once per process, not once per request.
 */
export interface TemplateSource {
  load(uri: string): Promise<string>;
}

export function createTemplateSource(deps: { cwd: string; http: OutboundHttp }): TemplateSource {
  const cache = new Map<string, Promise<string>>();
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
      let pending = cache.get(uri);
      if (pending === undefined) {
        pending = fetchTemplate(uri);
        // A failed load is not kept: the next request tries again (a file may be fixed).
        pending.catch(() => cache.delete(uri));
        cache.set(uri, pending);
      }
      return pending;
    },
  };
}
