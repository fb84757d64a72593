/**
 * A Portcullis whose courier mails over the test SMTP server, for the recovery and verification
 * suites: the worker runs in the server and polls every 50 ms, and the password method skips the
 * breach check (tests pick weak passwords on purpose).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { TestDatabase } from './databases.js';
import { startTestServer, type TestServer } from './server.js';
import { startSmtpServer, type TestSmtpServer } from './smtp.js';
import { need, type SuiteServer, useTestServer } from './suite-server.js';

export interface CourierServerOptions {
  /** `selfservice.flows`. */
  flows: Record<string, unknown>;
  /** Turn the link method on beside the code method. */
  linkMethod?: boolean;
  /** `courier.smtp.from_address`. */
  fromAddress?: string;
  /** `selfservice.allowed_return_urls`. */
  allowedReturnUrls?: string[];
  /** `feature_flags`, when given. */
  featureFlags?: Record<string, boolean> | undefined;
  /** Further top-level config keys (`identity`, `security`, `feature_flags`, ...). */
  extraConfig?: Record<string, unknown>;
  /** Use the real Redis at REDIS_URL as the cache, when it is set. */
  redis?: boolean;
}

/** `startTestServer`'s options (but the DSN) for a server mailing over `smtp`. */
export function courierServerOptions(smtp: TestSmtpServer, options: CourierServerOptions) {
  return {
    watchCourier: true,
    ...(options.redis ? { redis: true } : {}),
    extraConfig: {
      courier: {
        worker: { pull_wait: '50ms' },
        smtp: {
          connection_uri: smtp.connectionUri,
          ...(options.fromAddress ? { from_address: options.fromAddress } : {}),
        },
      },
      ...(options.featureFlags ? { feature_flags: options.featureFlags } : {}),
      ...options.extraConfig,
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        ...(options.allowedReturnUrls ? { allowed_return_urls: options.allowedReturnUrls } : {}),
        methods: {
          password: { config: { haveibeenpwned_enabled: false } },
          ...(options.linkMethod ? { link: { enabled: true } } : {}),
        },
        flows: options.flows,
      },
    },
  };
}

/** Starts a Portcullis on `dsn` mailing over `smtp`. */
export function startCourierServer(
  dsn: string,
  smtp: TestSmtpServer,
  options: CourierServerOptions,
): Promise<TestServer> {
  return startTestServer({ dsn, ...courierServerOptions(smtp, options) });
}

/**
 * Registers the hooks of one test SMTP server for the `describe` (or file) it is called in:
 * started in `beforeAll`, stopped in `afterAll`.
 */
export function useSmtpServer(): { readonly smtp: TestSmtpServer } {
  let smtp: TestSmtpServer | undefined;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp?.stop();
  });
  return {
    get smtp() {
      return need(smtp, 'SMTP server');
    },
  };
}

/**
 * Registers the hooks of a test SMTP server and a Portcullis mailing over it (on a fresh database
 * of `database`, the in-memory SQLite when none is given) for the `describe` it is called in.
 * `options` may be a function, read in `beforeAll`, when it needs what earlier hooks started.
 */
export function useCourierServer(
  database: TestDatabase | undefined,
  options: CourierServerOptions | (() => CourierServerOptions),
): SuiteServer & { readonly smtp: TestSmtpServer } {
  const mail = useSmtpServer();
  const suite = useTestServer(database, () =>
    courierServerOptions(mail.smtp, typeof options === 'function' ? options() : options),
  );
  return {
    get smtp() {
      return mail.smtp;
    },
    get server() {
      return suite.server;
    },
    get frontend() {
      return suite.frontend;
    },
    get admin() {
      return suite.admin;
    },
  };
}

/** The messages the courier queued to `address`, from the admin courier API. */
export async function queuedTo(server: TestServer, address: string): Promise<{ template_type: string }[]> {
  const answer = await fetch(
    `${server.adminUrl}/admin/courier/messages?recipient=${encodeURIComponent(address)}`,
  );
  expect(answer.status).toBe(200);
  return (await answer.json()) as { template_type: string }[];
}
