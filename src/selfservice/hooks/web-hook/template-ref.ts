import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { originOf } from '../../../webhooks/resilient.js';

/** Templates are small; a bigger one is a mistake or an attack. */
export const MAX_TEMPLATE_BYTES = 512 * 1024;

/** Kratos's HTTP client gives up on an exchange after 30 s; so does a template fetch. */
export const TEMPLATE_FETCH_TIMEOUT_MS = 30_000;

/** A template reference that could not be read: the reason, safe to show to an operator. */
export class TemplateRefError extends Error {
  override readonly name = 'TemplateRefError';
}

/**
 * Reads a template reference as Kratos's fetcher does (ory/x fetcher.Fetch): `base64://`,
 * `file://` (what follows the scheme is the path, so `file://./body.jsonnet` and
 * `file://body.jsonnet` are read from `cwd` and `file:///etc/body.jsonnet` from the root) and
 * `http(s)://` through `http` (a 200 answer only). Any other scheme is refused. An absolute
 * `file:///` URL is also percent-decoded, as a file URL is (Kratos reads `%20` literally), so
 * the URL Node's pathToFileURL makes of a path with spaces names that path. Web hook bodies,
 * OIDC claims mappers and tokenizer mappers read their templates through this; so could the
 * courier's `courier.templates` references.
 */
export async function readTemplateRef(ref: string, cwd: string, http: OutboundHttp): Promise<string> {
  if (ref.startsWith('base64://'))
    return Buffer.from(ref.slice('base64://'.length), 'base64').toString('utf8');
  if (ref.startsWith('file://')) {
    const path = ref.slice('file://'.length);
    const text = await readFile(path.startsWith('/') ? fileURLToPath(ref) : resolve(cwd, path), 'utf8');
    if (Buffer.byteLength(text) > MAX_TEMPLATE_BYTES)
      throw new TemplateRefError(`the template ${ref} is too large`);
    return text;
  }
  if (ref.startsWith('http://') || ref.startsWith('https://')) {
    const response = await http.request({
      url: ref,
      method: 'GET',
      timeoutMs: TEMPLATE_FETCH_TIMEOUT_MS,
      maxResponseBytes: MAX_TEMPLATE_BYTES,
    });
    // Kratos's words, but the template named by its origin: the error reaches whoever submitted
    // the flow, and a URL's credentials, path or query may carry secrets (as for hook targets).
    if (response.status !== 200) {
      throw new TemplateRefError(
        `expected http response status code 200 but got ${response.status} when fetching: ${originOf(ref)}`,
      );
    }
    return response.body.toString('utf8');
  }
  throw new TemplateRefError(`unsupported template URI ${ref}`);
}
