import { type AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { freePort } from './ports.js';

/** One message the test server accepted, parsed. */
export interface ReceivedMail {
  /** Angle brackets included, as in the header. */
  messageId: string | undefined;
  /** The From header as written, for example `"Portcullis" <no-reply@example.com>`. */
  from: string;
  /** Addresses of the To header. */
  to: string[];
  /** Envelope recipients (RCPT TO). */
  rcptTo: string[];
  subject: string;
  text: string;
  html: string | undefined;
  /** Every header, names lowercased. */
  headers: Map<string, unknown>;
}

/** An SMTP reply to refuse mail with: 4xx is transient, 5xx permanent. */
export interface Refusal {
  code: number;
  message?: string;
}

export interface TestSmtpServer {
  readonly port: number;
  /** A `courier.smtp.connection_uri` for this server: cleartext, as a laptop relay would be. */
  readonly connectionUri: string;
  /** Accepted messages, in order of acceptance. */
  readonly messages: ReceivedMail[];
  /** Refuse every message (at RCPT TO) with this reply until `accept()`. */
  refuse(refusal: Refusal): void;
  accept(): void;
  /**
   * Holds the next messages in the DATA phase: they are read but not answered until
   * `release()`. `arrived` resolves when the first held message is in.
   */
  hold(): { arrived: Promise<void>; release(): void };
  /** Resolves once `count` messages are accepted; throws after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Stops listening and drops open connections; `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A real SMTP server on a random loopback port for tests: no TLS, any or no credentials
 * accepted. It can refuse mail, hold the DATA phase, and be stopped and restarted in place.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const port = await freePort();
  const messages: ReceivedMail[] = [];
  let refusal: Refusal | undefined;
  let held: { release: Promise<void>; arrived: () => void } | undefined;
  let server: SMTPServer | undefined;

  function create(): SMTPServer {
    return new SMTPServer({
      logger: false,
      secure: false,
      hideSTARTTLS: true,
      authOptional: true,
      allowInsecureAuth: true,
      closeTimeout: 100,
      // No reverse DNS of the client: it costs ~100 ms a connection.
      disableReverseLookup: true,
      onAuth(_auth, _session, callback) {
        callback(null, { user: 'test' });
      },
      onRcptTo(_address, _session, callback) {
        if (refusal === undefined) return callback();
        callback(
          Object.assign(new Error(refusal.message ?? 'refused by the test'), { responseCode: refusal.code }),
        );
      },
      onData(stream, session, callback) {
        void (async () => {
          const raw = await readAll(stream);
          if (held !== undefined) {
            held.arrived();
            await held.release;
          }
          const parsed = await simpleParser(raw);
          messages.push({
            messageId: parsed.messageId,
            from: parsed.from?.text ?? '',
            to: addresses(parsed.to),
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : undefined,
            headers: parsed.headers,
          });
          callback();
        })().catch((error: unknown) => callback(error as Error));
      },
    });
  }

  async function start(): Promise<void> {
    server = create();
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
  }

  await start();
  return {
    port,
    connectionUri: `smtp://127.0.0.1:${port}/?disable_starttls=true`,
    messages,
    refuse(r) {
      refusal = r;
    },
    accept() {
      refusal = undefined;
    },
    hold() {
      let release!: () => void;
      let arrived!: () => void;
      const arrivedPromise = new Promise<void>((r) => (arrived = r));
      held = { release: new Promise<void>((r) => (release = r)), arrived };
      return {
        arrived: arrivedPromise,
        release() {
          held = undefined;
          release();
        },
      };
    },
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(
            `the SMTP server received ${messages.length} of ${count} messages in ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages.slice(0, count);
    },
    async stop() {
      const running = server;
      server = undefined;
      if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
    },
    start,
  };
}
