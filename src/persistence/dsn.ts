import { isAbsolute, resolve } from 'node:path';

/** Where the data lives, parsed from a Kratos-style DSN. */
export type DataSource =
  | { kind: 'postgres'; connectionString: string; poolMax: number }
  | { kind: 'sqlite'; filename: string };

// Query parameters that Kratos (gobuffalo/pop) understands but libpq does not.
const POP_PARAMS = [
  'max_conns',
  'max_idle_conns',
  'max_conn_lifetime',
  'max_conn_idle_time',
  'connect_timeout',
];

/** Whether the DSN names a database that lives in this process only (`memory`, SQLite `:memory:`). */
export function isInMemoryDsn(dsn: string): boolean {
  return dsn === 'memory' || dsn.startsWith('sqlite://file::memory:') || dsn === 'sqlite://:memory:';
}

/**
 * Parses `postgres://…`, `postgresql://…`, `sqlite://<path>` and `memory`.
 * A relative sqlite path resolves against `cwd`. Throws a plain Error naming the scheme for
 * anything else; the caller turns it into a startup failure.
 */
export function parseDsn(dsn: string, cwd: string = process.cwd()): DataSource {
  if (isInMemoryDsn(dsn)) {
    return { kind: 'sqlite', filename: ':memory:' };
  }
  if (dsn.startsWith('postgres://') || dsn.startsWith('postgresql://')) {
    const url = new URL(dsn);
    const poolMax = Number(url.searchParams.get('max_conns') ?? '10');
    for (const param of POP_PARAMS) url.searchParams.delete(param);
    return {
      kind: 'postgres',
      connectionString: url.toString(),
      poolMax: Number.isInteger(poolMax) && poolMax > 0 ? poolMax : 10,
    };
  }
  if (dsn.startsWith('sqlite://')) {
    // Not parsed with URL: a relative path such as sqlite://./data/db.sqlite is not a host.
    const rest = dsn.slice('sqlite://'.length);
    const path = decodeURIComponent(rest.split('?')[0] ?? '');
    if (path === '')
      throw new Error('dsn: sqlite:// needs a file path, for example sqlite://./data/db.sqlite');
    return { kind: 'sqlite', filename: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  const scheme = dsn.includes('://') ? dsn.slice(0, dsn.indexOf('://')) : dsn;
  throw new Error(
    `dsn: unsupported database "${scheme}"; use postgres://…, sqlite://<path> or memory (mysql and cockroach are not supported)`,
  );
}
