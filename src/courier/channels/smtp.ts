import { readFile } from 'node:fs/promises';
import nodemailer, { type NodemailerError } from 'nodemailer';
import type { CourierConfig } from '../../config/index.js';
import { ConfigError } from '../../config/index.js';
import type { DispatchError } from '../model.js';
import type { Channel, OutgoingEmail } from './channel.js';
import { type SmtpTimeouts, smtpTransportOptions } from './smtp-options.js';

/**
 * A stable Message-ID per outbox message: a retry after a crash mid-send carries the same id,
 * so receivers that dedupe (most do) show the message once.
 */
export function messageIdFor(id: string, fromAddress: string): string {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1) || 'portcullis.invalid';
  return `<${id}@${domain}>`;
}

/**
 * Failures of the connection's setup, not of the message: a rejected login, or a STARTTLS the
 * server refused (a 5xx answer to the command, for a `smtp://` URI whose server offers no TLS).
 * Kratos fails those before it sends anything and retries; fixing the config must still deliver
 * the queue, so they are never final.
 */
const SETUP_FAILURES: ReadonlySet<string> = new Set(['EAUTH', 'ETLS']);

/** Kratos's reason for every failed SMTP send (courier/smtp_channel.go). */
export const SMTP_FAILURE_REASON = 'failed to send email via smtp';

/** A send failure as a dispatch error. 5xx answers to a message are final (as in Kratos). */
export function dispatchErrorOf(error: unknown): DispatchError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as NodemailerError;
  const code = typeof e.code === 'string' ? e.code : 'ESEND';
  return {
    code,
    message: e.message ?? String(error),
    reason: SMTP_FAILURE_REASON,
    ...(typeof e.responseCode === 'number' ? { response_code: e.responseCode } : {}),
    permanent: e.permanent === true && !SETUP_FAILURES.has(code),
  };
}

async function readClientTls(smtp: CourierConfig['smtp']): Promise<{ cert?: Buffer; key?: Buffer }> {
  if (smtp.clientCertPath === undefined || smtp.clientKeyPath === undefined) return {};
  try {
    return { cert: await readFile(smtp.clientCertPath), key: await readFile(smtp.clientKeyPath) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([
      {
        path: 'courier.smtp.client_cert_path',
        message: `the client certificate or key cannot be read (${code})`,
      },
    ]);
  }
}

/**
 * `courier.smtp.headers` as Kratos applies them: it sets From and Subject first, then every
 * configured header, so a configured `From` or `Subject` (any case) replaces the message's.
 * Nodemailer ignores those two among custom headers, so they are taken out and passed as the
 * message's own; the others (`Bcc`, `X-…`) stay headers, as before.
 */
export function headerOverrides(headers: Readonly<Record<string, string>>): {
  from?: string;
  subject?: string;
  headers: Record<string, string>;
} {
  const out: { from?: string; subject?: string; headers: Record<string, string> } = { headers: {} };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'from') out.from = value;
    else if (lower === 'subject') out.subject = value;
    else out.headers[name] = value;
  }
  return out;
}

/**
 * Delivers through the SMTP server of `courier.smtp.connection_uri`. Connections are pooled
 * (one per concurrent send) and reused for bursts: a new connection costs a TLS handshake,
 * and some servers make every new client wait before the greeting.
 */
export async function createSmtpChannel(
  smtp: CourierConfig['smtp'],
  options: SmtpTimeouts & { maxConnections: number },
): Promise<Channel> {
  const transport = nodemailer.createTransport({
    ...smtpTransportOptions(smtp, options, await readClientTls(smtp)),
    pool: true,
    maxConnections: options.maxConnections,
    maxMessages: 100,
    idleTimeout: 30_000,
  });
  const configured = headerOverrides(smtp.headers);
  const from =
    configured.from ??
    (smtp.fromName === undefined ? smtp.fromAddress : { name: smtp.fromName, address: smtp.fromAddress });
  return {
    id: 'smtp',
    async deliver(email: OutgoingEmail, signal: AbortSignal) {
      try {
        await transport.sendMail({
          from,
          to: email.recipient,
          subject: configured.subject ?? email.subject,
          text: email.body,
          ...(email.html_body === null ? {} : { html: email.html_body }),
          headers: { ...configured.headers },
          messageId: messageIdFor(email.id, smtp.fromAddress),
          signal,
        });
        return { ok: true };
      } catch (error) {
        return { ok: false, error: dispatchErrorOf(error) };
      }
    },
    async close() {
      transport.close();
    },
  };
}
