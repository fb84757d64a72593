/**
 * A throw-away self-signed certificate for TLS tests. node:crypto cannot issue X.509
 * certificates, so this runs the `openssl` command line (present on the CI machines).
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCert {
  /** Directory holding `cert.pem` and `key.pem`. */
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
  remove(): Promise<void>;
}

/** An EC P-256 certificate for `localhost`, `127.0.0.1` and `hostnames`, valid for one day. */
export async function selfSignedCert(hostnames: readonly string[] = []): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  // biome-ignore format: one openssl flag per line reads best
  await promisify(execFile)('openssl', [
    'req', '-x509', '-nodes', '-days', '1',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyPath, '-out', certPath,
    '-subj', '/CN=localhost',
    '-addext', `subjectAltName=${['localhost', ...hostnames].map((name) => `DNS:${name}`).join(',')},IP:127.0.0.1`,
  ]);
  return {
    dir,
    certPath,
    keyPath,
    cert: await readFile(certPath),
    key: await readFile(keyPath),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
