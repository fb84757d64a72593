import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import type { OutboundHttp } from '../../kernel/http-client.js';
import { findSigningKey, type JwkSet, parseJwkSet, type SigningKeyKinds } from './keys.js';

/** A key ready to sign with, and what goes in the JWT header. */
export interface SigningKey {
  alg: string;
  kid: string | undefined;
  key: Awaited<ReturnType<typeof importJWK>>;
}

export type JwksLocation =
  | { kind: 'file'; path: string }
  | { kind: 'base64'; text: string }
  | { kind: 'http'; url: string };

/**
 * Reads a `jwks_url`: `file://keys.json` relative to the working directory, `file:///etc/keys.json`
 * absolute (as Oathkeeper, which strips `file://`), `base64://<standard or URL-safe base64 of the
 * set>`, and `http(s)://` when `allowHttp`.
 */
export function jwksLocation(
  url: string,
  options: { allowHttp: boolean; cwd?: string },
): { ok: true; location: JwksLocation } | { ok: false; message: string } {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    const path = resolve(options.cwd ?? process.cwd(), decodeURIComponent(url.slice('file://'.length)));
    return { ok: true, location: { kind: 'file', path } };
  }
  if (scheme === 'base64') {
    const encoded = url.slice('base64://'.length);
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(encoded))
      return { ok: false, message: 'base64:// is not valid base64' };
    return { ok: true, location: { kind: 'base64', text: Buffer.from(encoded, 'base64').toString('utf8') } };
  }
  if ((scheme === 'http' || scheme === 'https') && options.allowHttp)
    return { ok: true, location: { kind: 'http', url } };
  return {
    ok: false,
    message: `unsupported JWKS URL scheme ${scheme ?? '(none)'}:// (use file, base64${options.allowHttp ? ', http or https' : ''})`,
  };
}

export interface JwksStoreOptions {
  http: OutboundHttp;
  /** How long a loaded set is used before it is read again; 30 s (Oathkeeper's `jwks_ttl`) unless set. */
  ttlMs?: number;
  /** Reads of one URL are at least this far apart, even on a `kid` miss or after a failure; 5 s unless set. */
  minRefreshIntervalMs?: number;
  /** Deadline of an HTTP fetch; 1 s (Oathkeeper's `jwks_max_wait`) unless set. */
  timeoutMs?: number;
  /** Largest JWKS document fetched over HTTP; 256 KiB. */
  maxBytes?: number;
  cwd?: string;
  now?: () => number;
}

interface Entry {
  set: JwkSet | undefined;
  loadedAt: number;
  attemptedAt: number;
  inflight: Promise<JwkSet> | undefined;
}

/**
 * Loads and caches JWK sets by URL. A set is reused for `ttl`, then read again; a failed read
 * keeps serving the previous set (if any). Reads of one URL are rate-limited, so a flood of
 * tokens with unknown `kid`s cannot make us hammer a key server.
 */
export class JwksStore {
  private readonly entries = new Map<string, Entry>();
  /** Imported signing keys per loaded set, asymmetric-only and HMAC-too apart. */
  private readonly signing = {
    asymmetric: new WeakMap<JwkSet, Promise<SigningKey>>(),
    hmac: new WeakMap<JwkSet, Promise<SigningKey>>(),
  };
  private readonly ttlMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: JwksStoreOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.minRefreshIntervalMs = options.minRefreshIntervalMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** The set at `url`, from cache when younger than `ttlMs`. */
  async get(
    url: string,
    options: { ttlMs?: number; timeoutMs?: number; allowHttp?: boolean } = {},
  ): Promise<JwkSet> {
    const entry = this.entry(url);
    const now = this.now();
    if (entry.set !== undefined && now - entry.loadedAt < (options.ttlMs ?? this.ttlMs)) return entry.set;
    return this.load(url, entry, options);
  }

  /** Reads `url` again unless it was read less than `minRefreshIntervalMs` ago (then the cached set). */
  async refresh(url: string, options: { timeoutMs?: number; allowHttp?: boolean } = {}): Promise<JwkSet> {
    return this.load(url, this.entry(url), options);
  }

  /** The signing key of the set at `url` (see {@link findSigningKey}), imported once per loaded set. */
  async signingKey(url: string, kinds: SigningKeyKinds = {}): Promise<SigningKey> {
    const set = await this.get(url, { allowHttp: true });
    const imported = kinds.hmac ? this.signing.hmac : this.signing.asymmetric;
    let key = imported.get(set);
    if (key === undefined) {
      key = importSigningKey(set, kinds);
      imported.set(set, key);
    }
    return key;
  }

  private entry(url: string): Entry {
    let entry = this.entries.get(url);
    if (entry === undefined) {
      entry = { set: undefined, loadedAt: 0, attemptedAt: Number.NEGATIVE_INFINITY, inflight: undefined };
      this.entries.set(url, entry);
    }
    return entry;
  }

  private async load(
    url: string,
    entry: Entry,
    options: { timeoutMs?: number; allowHttp?: boolean },
  ): Promise<JwkSet> {
    if (entry.inflight !== undefined) return entry.inflight;
    const now = this.now();
    if (entry.set !== undefined && now - entry.attemptedAt < this.minRefreshIntervalMs) return entry.set;
    entry.attemptedAt = now;
    const pending = this.read(url, options).then(
      (set) => {
        entry.set = set;
        entry.loadedAt = this.now();
        return set;
      },
      (error: unknown) => {
        if (entry.set !== undefined) return entry.set;
        throw error;
      },
    );
    entry.inflight = pending;
    try {
      return await pending;
    } finally {
      entry.inflight = undefined;
    }
  }

  private async read(url: string, options: { timeoutMs?: number; allowHttp?: boolean }): Promise<JwkSet> {
    const located = jwksLocation(url, { allowHttp: options.allowHttp ?? true, cwd: this.options.cwd });
    if (!located.ok) throw new Error(located.message);
    const { location } = located;
    if (location.kind === 'base64') return parseJwkSet(location.text);
    if (location.kind === 'file') return parseJwkSet(await readFile(location.path, 'utf8'));
    const response = await this.options.http.request({
      url: location.url,
      method: 'GET',
      headers: { accept: 'application/json' },
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 1_000,
      maxResponseBytes: this.options.maxBytes ?? 256 * 1024,
    });
    if (response.status !== 200) throw new Error(`JWKS fetch answered HTTP ${response.status}`);
    return parseJwkSet(response.body.toString('utf8'));
  }
}

/** `claims` as a compact JWT under `signing`: `alg`, `typ: JWT` and the key's `kid` in the header. */
export function signJwt(signing: SigningKey, claims: JWTPayload): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: signing.alg, typ: 'JWT' };
  if (signing.kid !== undefined) header.kid = signing.kid;
  return new SignJWT(claims).setProtectedHeader(header).sign(signing.key);
}

/** A key set was read but holds no key that can sign; distinct from failing to read it. */
export class NoSigningKeyError extends Error {
  constructor() {
    super('JSON Web Key Set has no signing key (use "sig" or none, a private part, an asymmetric alg)');
    this.name = 'NoSigningKeyError';
  }
}

async function importSigningKey(set: JwkSet, kinds: SigningKeyKinds): Promise<SigningKey> {
  const found = findSigningKey(set, kinds);
  if (found === undefined) throw new NoSigningKeyError();
  const key = await importJWK(found.key, found.alg);
  return { alg: found.alg, kid: found.key.kid, key };
}

const stores = new WeakMap<OutboundHttp, JwksStore>();

/** The store shared by every handler and the JWKS route that use the same OutboundHttp. */
export function jwksStoreFor(http: OutboundHttp): JwksStore {
  let store = stores.get(http);
  if (store === undefined) {
    store = new JwksStore({ http });
    stores.set(http, store);
  }
  return store;
}
