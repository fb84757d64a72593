import { describe, expect, it } from 'vitest';
import { responseHeaders, trailerFields } from './upstream-response.js';

const raw = (...pairs: string[]): Buffer[] => pairs.map((p) => Buffer.from(p, 'latin1'));

describe('responseHeaders', () => {
  it('keeps the upstream order with lower-case names, repeated headers repeated', () => {
    const headers = raw(
      'Content-Type',
      'text/html',
      'Set-Cookie',
      'a=1',
      'X-Custom',
      'é',
      'set-cookie',
      'b=2',
    );
    expect(responseHeaders(headers, undefined)).toEqual([
      'content-type',
      'text/html',
      'set-cookie',
      'a=1',
      'x-custom',
      'é',
      'set-cookie',
      'b=2',
    ]);
  });

  it('drops hop-by-hop headers and those the Connection header names', () => {
    const headers = raw(
      'X-Secret',
      's',
      'Connection',
      'keep-alive, X-Secret',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'X-Kept',
      'k',
    );
    expect(responseHeaders(headers, undefined)).toEqual(['x-kept', 'k']);
  });

  it("replaces the upstream's CORS headers with the policy's, Vary merged", () => {
    const headers = raw('Access-Control-Allow-Origin', '*', 'Vary', 'Accept-Encoding', 'X-Kept', 'k');
    const cors = { vary: 'Origin', 'access-control-allow-origin': 'http://ok.test' };
    expect(responseHeaders(headers, cors)).toEqual([
      'x-kept',
      'k',
      'vary',
      'Accept-Encoding, Origin',
      'access-control-allow-origin',
      'http://ok.test',
    ]);
  });

  it('keeps the upstream Vary untouched without CORS', () => {
    expect(responseHeaders(raw('Vary', 'Accept'), undefined)).toEqual(['vary', 'Accept']);
  });
});

describe('trailerFields', () => {
  it('keeps the upstream’s trailers, lower-cased, minus hop-by-hop, framing and routing names', () => {
    const trailers = raw(
      'X-Checksum',
      'abc',
      'Connection',
      'close',
      'Content-Length',
      '9',
      'Host',
      'h',
      'Grpc-Status',
      '0',
    );
    expect(trailerFields(trailers)).toEqual([
      ['x-checksum', 'abc'],
      ['grpc-status', '0'],
    ]);
  });

  it('drops Access-Control-* trailers when the listener’s CORS policy owns them', () => {
    const trailers = raw('Access-Control-Allow-Origin', '*', 'X-A', '1');
    expect(trailerFields(trailers, true)).toEqual([['x-a', '1']]);
    expect(trailerFields(trailers, false)).toHaveLength(2);
  });
});
