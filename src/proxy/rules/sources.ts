import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { OutboundHttp } from '../../kernel/http-client.js';

/** Where one repository's rules come from. */
export type RuleSource =
  | { readonly kind: 'file'; readonly url: string; readonly path: string }
  | { readonly kind: 'inline'; readonly url: string; readonly text: string }
  | { readonly kind: 'http'; readonly url: string };

export type SourceResult =
  | { readonly ok: true; readonly source: RuleSource }
  | { readonly ok: false; readonly message: string };

/**
 * Reads a repository URL. `file://rules.json` is relative to `cwd` and `file:///etc/rules.json`
 * absolute (Oathkeeper strips `file://`); `inline://` is base64 (standard or URL-safe) of a
 * JSON or YAML document; `http(s)://` is fetched. Whatever the name, a document is JSON when
 * its text is valid JSON and YAML otherwise, as Oathkeeper decides (parse.ts). Object storage
 * (`s3://`, `gs://`, `azblob://`) is not supported.
 */
export function ruleSource(url: string, cwd: string): SourceResult {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    const path = resolve(cwd, decodeURIComponent(url.slice('file://'.length)));
    return { ok: true, source: { kind: 'file', url, path } };
  }
  if (scheme === 'inline') {
    const encoded = url.slice('inline://'.length);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(encoded))
      return { ok: false, message: 'inline:// is not valid base64' };
    return {
      ok: true,
      source: { kind: 'inline', url: 'inline://…', text: Buffer.from(encoded, 'base64').toString('utf8') },
    };
  }
  if (scheme === 'http' || scheme === 'https') return { ok: true, source: { kind: 'http', url } };
  return {
    ok: false,
    message: `unsupported repository scheme ${scheme ?? '(none)'}:// (use file, inline, http or https)`,
  };
}

/** The document text of a source. */
export async function readSource(source: RuleSource, http: OutboundHttp): Promise<string> {
  switch (source.kind) {
    case 'file':
      return readFile(source.path, 'utf8');
    case 'inline':
      return source.text;
    case 'http': {
      const response = await http.request({
        url: source.url,
        method: 'GET',
        headers: { accept: 'application/json, application/yaml' },
      });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return response.body.toString('utf8');
    }
  }
}
