/** The body's bytes, or `too_large` once more than the cap was declared or arrived. */
export type CappedBody = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' };

/**
 * Reads a fetch response body up to `maxBytes`. A lying or hostile upstream cannot make us
 * hold more than the cap: a larger Content-Length is refused before reading, a longer stream
 * is cancelled. Every outbound fetch whose body we read goes through here.
 */
export async function readCappedBody(response: Response, maxBytes: number): Promise<CappedBody> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, reason: 'too_large' };
  }
  if (response.body === null) return { ok: true, bytes: Buffer.alloc(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'too_large' };
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks, total) };
}
