/**
 * `serve.proxy.tls` / `serve.api.tls` (Oathkeeper's `tlsx`): the PEM certificate chain and key,
 * each from a file (`path`, relative to the working directory) or inline (`base64` of the PEM
 * text; it wins when both are given). Read once at startup; a problem stops the start.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { ListenerTls, PemSource } from './config.js';
import { ListenerStartError } from './listener-errors.js';

/** What `https.createServer` takes. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads and checks the pair: both must be present, readable, PEM, and the key must match the
 * certificate (checked by building a secure context, as the listener will).
 */
export async function loadTlsCredentials(
  listener: string,
  tls: ListenerTls,
  cwd: string,
): Promise<TlsCredentials> {
  const cert = await readPem(listener, 'cert', tls.cert, cwd);
  const key = await readPem(listener, 'key', tls.key, cwd);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ListenerStartError(
      'tls_invalid',
      `serve.${listener}.tls: the certificate and key do not form a usable pair (${reason(error)})`,
      { cause: error },
    );
  }
  return { cert, key };
}

async function readPem(
  listener: string,
  field: 'cert' | 'key',
  source: PemSource | undefined,
  cwd: string,
): Promise<Buffer> {
  const key = `serve.${listener}.tls.${field}`;
  if (source === undefined)
    throw new ListenerStartError('tls_invalid', `${key}: missing (set both tls.cert and tls.key)`);
  let pem: Buffer;
  if (source.base64 !== undefined) {
    pem = Buffer.from(source.base64, 'base64');
  } else {
    const file = resolve(cwd, source.path ?? '');
    try {
      pem = await readFile(file);
    } catch (error) {
      throw new ListenerStartError('tls_unreadable', `${key}.path: cannot read ${file} (${reason(error)})`, {
        cause: error,
      });
    }
  }
  if (!pem.toString('latin1').includes('-----BEGIN '))
    throw new ListenerStartError('tls_invalid', `${key}: not a PEM document`);
  return pem;
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
