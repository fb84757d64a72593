import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { dispatchErrorOf, messageIdFor } from './smtp.js';
import { smtpTransportOptions } from './smtp-options.js';

const SMTP = {
  connectionUri: undefined,
  fromAddress: 'no-reply@example.com',
  fromName: undefined,
  headers: {},
  localName: 'portcullis.local',
  clientCertPath: undefined,
  clientKeyPath: undefined,
};
const TIMEOUTS = { connectMs: 10_000, socketMs: 30_000 };
const options = (uri: string) => smtpTransportOptions({ ...SMTP, connectionUri: uri }, TIMEOUTS);

describe('SMTP connection URI', () => {
  it('requires STARTTLS on smtp:// and verifies certificates by default', () => {
    expect(options('smtp://mailer:p%40ss@smtp.example.com:587/')).toMatchObject({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTLS: true,
      name: 'portcullis.local',
      auth: { user: 'mailer', pass: 'p@ss' },
      tls: { rejectUnauthorized: true, servername: 'smtp.example.com' },
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
    });
  });

  it('allows cleartext with disable_starttls and skips verification with skip_ssl_verify', () => {
    const cleartext = options('smtp://127.0.0.1:1025/?disable_starttls=true');
    expect(cleartext).toMatchObject({ host: '127.0.0.1', port: 1025, secure: false, requireTLS: false });
    expect(cleartext.auth).toBeUndefined();
    expect(options('smtps://mail.example.com/?skip_ssl_verify=true&server_name=example.com')).toMatchObject({
      port: 465,
      secure: true,
      requireTLS: false,
      tls: { rejectUnauthorized: false, servername: 'example.com' },
    });
  });

  it('reads disable_starttls and skip_ssl_verify as Go ParseBool does (1, t, True, ...)', () => {
    expect(options('smtp://127.0.0.1:1025/?disable_starttls=1&skip_ssl_verify=t')).toMatchObject({
      requireTLS: false,
      tls: { rejectUnauthorized: false },
    });
    expect(options('smtp://h/?disable_starttls=True&skip_ssl_verify=TRUE')).toMatchObject({
      requireTLS: false,
      tls: { rejectUnauthorized: false },
    });
    // ParseBool's false forms, and what it refuses (Kratos ignores the error): off.
    for (const value of ['0', 'f', 'False', 'yes', 'on', 'tRUE', '']) {
      expect(options(`smtp://h/?disable_starttls=${value}&skip_ssl_verify=${value}`), value).toMatchObject({
        requireTLS: true,
        tls: { rejectUnauthorized: true },
      });
    }
  });

  it('refuses a URI it cannot use without quoting it (it holds a password)', () => {
    for (const uri of ['smtp://user:secret@', 'http://user:secret@example.com', 'not a uri']) {
      const error = (() => {
        try {
          options(uri);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe('courier.smtp.connection_uri');
      expect((error as Error).message).not.toContain('secret');
    }
  });
});

describe('SMTP delivery errors', () => {
  it('treat 5xx as final, except a rejected login or STARTTLS, and everything else as transient', () => {
    const reply = (code: string, responseCode: number, permanent: boolean) =>
      Object.assign(new Error(`${responseCode} reply`), { code, responseCode, permanent });
    expect(dispatchErrorOf(reply('EENVELOPE', 550, true))).toEqual({
      code: 'EENVELOPE',
      message: '550 reply',
      reason: 'failed to send email via smtp',
      response_code: 550,
      permanent: true,
    });
    expect(dispatchErrorOf(reply('EAUTH', 535, true)).permanent).toBe(false);
    // A server that refuses STARTTLS (smtp:// to a server without TLS): the config is wrong,
    // not the message; it waits for the fix, as Kratos retries it.
    expect(dispatchErrorOf(reply('ETLS', 502, true)).permanent).toBe(false);
    expect(dispatchErrorOf(reply('EENVELOPE', 451, false)).permanent).toBe(false);
    expect(dispatchErrorOf(Object.assign(new Error('refused'), { code: 'ESOCKET' }))).toEqual({
      code: 'ESOCKET',
      message: 'refused',
      reason: 'failed to send email via smtp',
      permanent: false,
    });
  });

  it('derive a stable Message-ID from the message id and the sender domain', () => {
    expect(messageIdFor('6f1c…', 'no-reply@example.com')).toBe('<6f1c…@example.com>');
    expect(messageIdFor('a', 'local-only')).toBe('<a@local-only>');
  });
});
