import { Configuration, FrontendApi, IdentityApi } from '@ory/client';
import { afterAll, beforeAll } from 'vitest';
import type { TestDatabase } from './databases.js';
import { startTestServer, type TestServer } from './server.js';

/** What `startTestServer` takes besides the DSN. */
export type TestServerOptions = Omit<Parameters<typeof startTestServer>[0], 'dsn'>;

/** The server of one suite, with the API clients most tests want; read them inside a test or hook. */
export interface SuiteServer {
  readonly server: TestServer;
  /** The public API, as a browser-less app calls it. */
  readonly frontend: FrontendApi;
  /** The admin API, as an operator calls it. */
  readonly admin: IdentityApi;
}

/** The value once a `beforeAll` set it; a clear error when read before (or after that hook failed). */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined)
    throw new Error(`no ${what}: read it inside a test or hook (see beforeAll's failure)`);
  return value;
}

/**
 * Registers the hooks of one Portcullis for the `describe` (or file) it is called in: in `beforeAll`
 * a fresh database of `database` (the in-memory SQLite when none is given) and the server on it,
 * in `afterAll` the server closed and the database dropped. `options` may be a function, read in
 * `beforeAll`, when it needs what earlier hooks started (an SMTP server, a web hook receiver).
 */
export function useTestServer(
  database: TestDatabase | undefined,
  options: TestServerOptions | (() => TestServerOptions),
): SuiteServer {
  let server: TestServer | undefined;
  let frontend: FrontendApi | undefined;
  let admin: IdentityApi | undefined;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = database ? await database.create() : { dsn: 'memory', drop: async () => {} };
    drop = db.drop;
    server = await startTestServer({ dsn: db.dsn, ...(typeof options === 'function' ? options() : options) });
    frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
    admin = new IdentityApi(new Configuration({ basePath: server.adminUrl }));
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  return {
    get server() {
      return need(server, 'test server');
    },
    get frontend() {
      return need(frontend, 'frontend API client');
    },
    get admin() {
      return need(admin, 'identity API client');
    },
  };
}
