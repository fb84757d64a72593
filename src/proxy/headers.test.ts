import { describe, expect, it } from 'vitest';
import { upstreamHeaders } from './forward.js';
import { isMutableHeader, mutableHeaders } from './headers.js';

describe('headers a mutator may not set', () => {
  const forbidden = {
    'Content-Length': '0',
    'Transfer-Encoding': 'chunked',
    Host: 'evil.test',
    Expect: '100-continue',
    Connection: 'close',
    'Keep-Alive': 'timeout=1',
    Upgrade: 'h2c',
    Te: 'trailers',
    Trailer: 'X-Sig',
    'Proxy-Authorization': 'Basic eDp5',
  };

  it('are dropped from the decision answer; others pass with their canonical names', () => {
    expect(mutableHeaders({ ...forbidden, 'X-User': 'ada', Authorization: 'Bearer t' })).toEqual({
      'X-User': 'ada',
      Authorization: 'Bearer t',
    });
    expect(isMutableHeader('x-user')).toBe(true);
  });

  it('never replace the client framing upstream, while other mutator headers replace the client’s', () => {
    const out = upstreamHeaders(
      { 'content-length': '5', 'x-user': 'forged', 'content-type': 'text/plain', expect: '100-continue' },
      { ...forbidden, 'X-User': 'ada' },
    );
    expect(out).toEqual({ 'content-length': '5', 'x-user': 'ada', 'content-type': 'text/plain' });
  });
});
