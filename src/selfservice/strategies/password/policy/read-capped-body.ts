/** Reads a fetch response body as text, refusing to buffer more than a cap. */

/** The body as UTF-8 text, or `too_large` once more than `maxBytes` arrived. */
export type CappedBody = { ok: true; text: string } | { ok: false; reason: 'too_large' };

/**
 * Reads `response.body` up to `maxBytes`. A lying or hostile upstream cannot make us hold more
 * than the cap: a larger Content-Length is refused before reading, a longer stream is cancelled.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<CappedBody> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    return { ok: false, reason: 'too_large' };
  }
  if (response.body === null) return { ok: true, text: '' };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}
