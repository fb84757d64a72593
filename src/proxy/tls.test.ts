import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerStartError } from './listener-errors.js';
import { type SelfSignedCert, selfSignedCert } from './testing/self-signed-cert.js';
import { loadTlsCredentials } from './tls.js';

describe('serve.<listener>.tls', () => {
  let first: SelfSignedCert;
  let second: SelfSignedCert;
  beforeAll(async () => {
    [first, second] = await Promise.all([selfSignedCert(), selfSignedCert()]);
  });
  afterAll(async () => {
    await Promise.all([first?.remove(), second?.remove()]);
  });

  const source = (path: string | undefined, base64: string | undefined) => ({ path, base64 });

  it('reads a pair from files (relative to the working directory) or inline base64', async () => {
    const fromFiles = await loadTlsCredentials(
      'proxy',
      { cert: source('cert.pem', undefined), key: source(first.keyPath, undefined) },
      first.dir,
    );
    expect(fromFiles.cert.equals(first.cert)).toBe(true);
    const inline = await loadTlsCredentials(
      'api',
      {
        cert: source(undefined, first.cert.toString('base64')),
        // base64 wins over path when both are given.
        key: source('/nonexistent/key.pem', first.key.toString('base64')),
      },
      '/',
    );
    expect(inline.key.equals(first.key)).toBe(true);
  });

  async function refusal(promise: Promise<unknown>): Promise<ListenerStartError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof ListenerStartError))
      throw new Error(`expected a ListenerStartError, got ${error}`);
    return error;
  }

  it('refuses one half alone, naming the missing key', async () => {
    const error = await refusal(
      loadTlsCredentials('proxy', { cert: source(first.certPath, undefined), key: undefined }, '/'),
    );
    expect(error.code).toBe('tls_invalid');
    expect(error.message).toContain('serve.proxy.tls.key');
  });

  it('refuses an unreadable file, a non-PEM document and a key of another certificate', async () => {
    const missing = await refusal(
      loadTlsCredentials(
        'api',
        { cert: source('missing.pem', undefined), key: source(first.keyPath, undefined) },
        first.dir,
      ),
    );
    expect(missing.code).toBe('tls_unreadable');
    expect(missing.message).toContain(join(first.dir, 'missing.pem'));

    const garbage = join(first.dir, 'garbage.pem');
    await writeFile(garbage, 'not a certificate');
    const notPem = await refusal(
      loadTlsCredentials(
        'api',
        { cert: source(garbage, undefined), key: source(first.keyPath, undefined) },
        '/',
      ),
    );
    expect(notPem.code).toBe('tls_invalid');

    const mismatch = await refusal(
      loadTlsCredentials(
        'proxy',
        { cert: source(first.certPath, undefined), key: source(second.keyPath, undefined) },
        '/',
      ),
    );
    expect(mismatch.code).toBe('tls_invalid');
    expect(mismatch.message).toContain('serve.proxy.tls');
  });
});
