import { describe, expect, it } from 'vitest';
import { parseDsn } from './dsn.js';

describe('parseDsn', () => {
  it('reads PostgreSQL DSNs and drops the pool parameters libpq does not know', () => {
    expect(parseDsn('postgres://u:p@db:5432/kratos?sslmode=disable&max_conns=20&max_idle_conns=4')).toEqual({
      kind: 'postgres',
      connectionString: 'postgres://u:p@db:5432/kratos?sslmode=disable',
      poolMax: 20,
    });
    expect(parseDsn('postgresql://db/kratos')).toMatchObject({ kind: 'postgres', poolMax: 10 });
  });

  it('reads SQLite paths, absolute and relative to the working directory', () => {
    expect(parseDsn('sqlite:///var/lib/db.sqlite?_fk=true&mode=rwc')).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/db.sqlite',
    });
    expect(parseDsn('sqlite://./data/db.sqlite', '/srv/app')).toEqual({
      kind: 'sqlite',
      filename: '/srv/app/data/db.sqlite',
    });
  });

  it('reads the in-memory forms', () => {
    for (const dsn of ['memory', 'sqlite://file::memory:?_fk=true', 'sqlite://:memory:']) {
      expect(parseDsn(dsn)).toEqual({ kind: 'sqlite', filename: ':memory:' });
    }
  });

  it('names what it cannot open', () => {
    expect(() => parseDsn('mysql://u@tcp(db:3306)/kratos')).toThrow(/unsupported database "mysql"/);
    expect(() => parseDsn('sqlite://')).toThrow(/needs a file path/);
  });
});
