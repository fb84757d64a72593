import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpChannel } from './smtp.js';

describe('an smtp:// URI whose server refuses STARTTLS', () => {
  let server: SMTPServer;
  let port: number;
  let received = 0;

  beforeAll(async () => {
    // Answers STARTTLS with a 5xx, as a server without TLS does.
    server = new SMTPServer({
      logger: false,
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      onData(stream, _session, callback) {
        received++;
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fails the send as transient, so the message waits for the config to be fixed, as Kratos retries it', async () => {
    const channel = await createSmtpChannel(
      {
        connectionUri: `smtp://127.0.0.1:${port}/`,
        fromAddress: 'no-reply@portcullis.test',
        headers: {},
      } as unknown as Parameters<typeof createSmtpChannel>[0],
      { maxConnections: 1, connectMs: 2000, socketMs: 2000 },
    );
    try {
      const sent = await channel.deliver(
        { id: 'm1', recipient: 'a@example.test', subject: 's', body: 'b', html_body: null } as Parameters<
          typeof channel.deliver
        >[0],
        new AbortController().signal,
      );
      expect(sent.ok).toBe(false);
      if (!sent.ok) expect([sent.error.code, sent.error.permanent]).toEqual(['ETLS', false]);
      expect(received).toBe(0);
    } finally {
      await channel.close();
    }
  });
});
