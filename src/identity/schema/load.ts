/**
 * Reads an identity schema document from the URL forms Kratos accepts in `identity.schemas[].url`:
 * `file://` (absolute, or Kratos's relative `file://./x.json`), a bare path, `base64://<JSON>`
 * and `http(s)://`.
 */

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCappedBody } from '../../kernel/capped-body.js';
import type { JsonObject } from '../model.js';
import { IdentitySchemaInvalidError, IdentitySchemaUnreachableError } from './errors.js';
import { isJsonObject } from './json.js';

/** Options for {@link loadSchemaDocument}. */
export interface LoadSchemaOptions {
  /** Schema id from the config; only used to name the schema in error messages. */
  schemaId?: string;
  /** Timeout for an http(s) fetch, headers and body together. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest accepted document, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Directory that relative paths resolve against. Default `process.cwd()`. */
  baseDir?: string;
}

/** Default for {@link LoadSchemaOptions.timeoutMs}. */
export const DEFAULT_SCHEMA_FETCH_TIMEOUT_MS = 10_000;
/** Default for {@link LoadSchemaOptions.maxBytes}. */
export const DEFAULT_SCHEMA_MAX_BYTES = 1024 * 1024;

/** Where a schema URL points, after the Kratos URL forms have been told apart. */
export type SchemaSource =
  | { kind: 'file'; path: string; canonicalUrl: string }
  | { kind: 'base64'; payload: string }
  | { kind: 'http'; url: URL; canonicalUrl: string };

/**
 * Loads and parses a schema document. The result is the JSON object exactly as served, without
 * any checks beyond "is a JSON object"; see `createSchemaRegistry` for validation.
 *
 * @throws {IdentitySchemaUnreachableError} the document could not be read (missing file, network
 *   error, timeout, non-2xx status, larger than `maxBytes`, unsupported URL scheme).
 * @throws {IdentitySchemaInvalidError} the content is not JSON or not a JSON object.
 */
export async function loadSchemaDocument(url: string, opts: LoadSchemaOptions = {}): Promise<JsonObject> {
  const errorSource = { schemaId: opts.schemaId, url };
  const maxBytes = opts.maxBytes ?? DEFAULT_SCHEMA_MAX_BYTES;
  const source = parseSchemaUrl(url, opts.baseDir, errorSource);
  const bytes = await readSource(
    source,
    maxBytes,
    opts.timeoutMs ?? DEFAULT_SCHEMA_FETCH_TIMEOUT_MS,
    errorSource,
  );
  return parseDocument(bytes, errorSource);
}

/**
 * Classifies a schema URL. Exported so the registry can derive the base URI that relative
 * `$ref`s in a document without `$id` resolve against.
 */
export function parseSchemaUrl(
  url: string,
  baseDir: string = process.cwd(),
  errorSource: { schemaId?: string | undefined; url?: string } = { url },
): SchemaSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // A bare path, as Kratos also accepts one.
    const path = resolve(baseDir, url);
    return { kind: 'file', path, canonicalUrl: pathToFileURL(path).href };
  }
  switch (scheme) {
    case 'file': {
      const rest = url.slice('file://'.length);
      // Kratos configs often say `file://./identity.schema.json`, which is not a valid file
      // URL; treat anything that is not `file:///abs` or `file://localhost/abs` as a relative path.
      const path =
        rest.startsWith('/') || rest.startsWith('localhost/')
          ? fileURLToPath(url)
          : resolve(baseDir, decodeURIComponent(rest));
      return { kind: 'file', path, canonicalUrl: pathToFileURL(path).href };
    }
    case 'base64':
      return { kind: 'base64', payload: url.slice('base64://'.length) };
    case 'http':
    case 'https': {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (cause) {
        throw new IdentitySchemaUnreachableError(errorSource, 'the URL is malformed', { cause });
      }
      return { kind: 'http', url: parsed, canonicalUrl: parsed.href };
    }
    default:
      throw new IdentitySchemaUnreachableError(
        errorSource,
        `unsupported URL scheme "${scheme}://" (use file://, base64://, http:// or https://)`,
      );
  }
}

async function readSource(
  source: SchemaSource,
  maxBytes: number,
  timeoutMs: number,
  errorSource: { schemaId?: string | undefined; url: string },
): Promise<Buffer> {
  switch (source.kind) {
    case 'file':
      return readFileCapped(source.path, maxBytes, errorSource);
    case 'base64': {
      // Node's base64 decoder accepts the URL-safe alphabet and missing padding too.
      const bytes = Buffer.from(source.payload, 'base64');
      if (bytes.length > maxBytes) {
        throw new IdentitySchemaUnreachableError(
          errorSource,
          `the document is larger than ${maxBytes} bytes`,
        );
      }
      return bytes;
    }
    case 'http':
      return fetchCapped(source.url, maxBytes, timeoutMs, errorSource);
  }
}

async function readFileCapped(
  path: string,
  maxBytes: number,
  errorSource: { schemaId?: string | undefined; url: string },
): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new IdentitySchemaUnreachableError(errorSource, `${path} is not a file`);
    if (info.size > maxBytes) {
      throw new IdentitySchemaUnreachableError(errorSource, `the document is larger than ${maxBytes} bytes`);
    }
    return await readFile(path);
  } catch (cause) {
    if (cause instanceof IdentitySchemaUnreachableError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new IdentitySchemaUnreachableError(errorSource, `cannot read ${path}: ${reason}`, { cause });
  }
}

async function fetchCapped(
  url: URL,
  maxBytes: number,
  timeoutMs: number,
  errorSource: { schemaId?: string | undefined; url: string },
): Promise<Buffer> {
  // One signal covers connect, headers and the body, so a server that trickles bytes cannot hold startup.
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      signal,
      redirect: 'follow',
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new IdentitySchemaUnreachableError(errorSource, `the server answered HTTP ${response.status}`);
    }
    const body = await readCappedBody(response, maxBytes);
    if (!body.ok) {
      throw new IdentitySchemaUnreachableError(errorSource, `the document is larger than ${maxBytes} bytes`);
    }
    return body.bytes;
  } catch (cause) {
    if (cause instanceof IdentitySchemaUnreachableError) throw cause;
    if (signal.aborted) {
      throw new IdentitySchemaUnreachableError(errorSource, `no complete answer within ${timeoutMs} ms`, {
        cause,
      });
    }
    throw new IdentitySchemaUnreachableError(errorSource, `cannot fetch: ${describeFetchError(cause)}`, {
      cause,
    });
  }
}

function describeFetchError(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const inner = cause.cause;
  return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
}

function parseDocument(
  bytes: Buffer,
  errorSource: { schemaId?: string | undefined; url: string },
): JsonObject {
  let parsed: unknown;
  try {
    // Strip a UTF-8 byte order mark, which some editors write and JSON.parse rejects.
    parsed = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new IdentitySchemaInvalidError(errorSource, `the document is not valid JSON: ${reason}`, { cause });
  }
  if (!isJsonObject(parsed)) {
    throw new IdentitySchemaInvalidError(errorSource, 'the document must be a JSON object');
  }
  return parsed;
}
