import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { upstreamHeaders } from './forward.js';
import { isMutableHeader, mutableHeaders, wireHeaderValue } from './headers.js';

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

describe('mutated header values on the wire', () => {
  it('leave plain ASCII as it is', () => {
    const value = 'Bearer eyJ.abc-_~ !#';
    expect(wireHeaderValue(value)).toBe(value);
  });

  it('go out as UTF-8 bytes, as Oathkeeper writes them, where Node would refuse or mis-encode them', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, {
        ...mutableHeaders({ 'X-Name': 'Łukasz 山田', 'X-Latin': 'José' }),
        'content-length': '0',
      });
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const raw = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = connect(port, '127.0.0.1', () =>
          socket.end('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
        );
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks)));
        socket.on('error', reject);
      });
      const head = raw.toString('utf8');
      expect(head).toContain('X-Name: Łukasz 山田\r\n');
      expect(head).toContain('X-Latin: José\r\n');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('turn control characters, which Node refuses and Go writes as spaces, into spaces', () => {
    expect(wireHeaderValue('a\r\nInjected: yes')).toBe('a  Injected: yes');
    expect(wireHeaderValue('a\u0000b\u007fc\td')).toBe('a b c\td');
  });
});
