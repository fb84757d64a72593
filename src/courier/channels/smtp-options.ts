import type { SMTPTransportOptions } from 'nodemailer';
import type { CourierConfig } from '../../config/index.js';
import { ConfigError } from '../../config/index.js';
import { goBool } from '../../kernel/go-bool.js';

/** How long the SMTP channel waits for each step; the whole send is bounded by the worker. */
export interface SmtpTimeouts {
  connectMs: number;
  /** Inactivity on an open connection (a server that holds DATA, say). */
  socketMs: number;
}

/**
 * A boolean query flag, read as Kratos reads it (strconv.ParseBool, its error ignored): `1`, `t`,
 * `T`, `TRUE`, `true` and `True` turn it on; anything else, absent included, leaves it off.
 */
const flag = (url: URL, name: string): boolean => goBool(url.searchParams.get(name) ?? '') === true;

/**
 * Nodemailer options for `courier.smtp.connection_uri`, with Kratos's meaning:
 * - `smtps://` is implicit TLS;
 * - `smtp://` requires STARTTLS, unless `?disable_starttls=true` (or `1`, `t`, …: Go's ParseBool),
 *   which allows cleartext (STARTTLS is still used when the server offers it, as Kratos's mailer does);
 * - `?skip_ssl_verify=true` accepts any certificate; `?server_name=` sets the TLS server name.
 * The URI's user and password are the SMTP credentials. The error never quotes the URI: it
 * holds a password.
 */
export function smtpTransportOptions(
  smtp: CourierConfig['smtp'],
  timeouts: SmtpTimeouts,
  clientTls: { cert?: Buffer; key?: Buffer } = {},
): SMTPTransportOptions {
  let url: URL;
  try {
    url = new URL(smtp.connectionUri ?? '');
  } catch {
    throw new ConfigError([{ path: 'courier.smtp.connection_uri', message: 'is not a valid URI' }]);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigError([
      { path: 'courier.smtp.connection_uri', message: 'must start with smtp:// or smtps://' },
    ]);
  }
  if (url.hostname === '') {
    throw new ConfigError([{ path: 'courier.smtp.connection_uri', message: 'names no host' }]);
  }
  const secure = url.protocol === 'smtps:';
  const startTls = !secure && !flag(url, 'disable_starttls');
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    requireTLS: startTls,
    name: smtp.localName,
    ...(user === '' ? {} : { auth: { user, pass: decodeURIComponent(url.password) } }),
    tls: {
      rejectUnauthorized: !flag(url, 'skip_ssl_verify'),
      servername: url.searchParams.get('server_name') || url.hostname,
      ...clientTls,
    },
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.connectMs,
    socketTimeout: timeouts.socketMs,
  };
}
