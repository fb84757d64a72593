import { describe, expect, it } from 'vitest';
import { DATABASE_DOWN, identityReadiness, MIGRATIONS_PENDING } from './readiness.js';

function database(state: { up: boolean; pending: string[] }) {
  let migrationChecks = 0;
  return {
    state,
    migrationChecks: () => migrationChecks,
    async ping() {
      if (!state.up) throw new Error('connect ECONNREFUSED');
    },
    async pendingMigrations() {
      migrationChecks++;
      if (!state.up) throw new Error('connect ECONNREFUSED');
      return state.pending;
    },
  };
}

describe('identity readiness', () => {
  it("names Kratos's checks: migrations pending, then the database down", async () => {
    const db = database({ up: true, pending: ['0042'] });
    const ready = identityReadiness(db);
    expect(await ready()).toEqual({ ok: false, errors: { migrations: MIGRATIONS_PENDING } });
    db.state.pending = [];
    expect(await ready()).toEqual({ ok: true });
    db.state.up = false;
    expect(await ready()).toEqual({ ok: false, errors: { database: DATABASE_DOWN } });
  });

  it('asks for the migration status only until it is complete, as Kratos keeps it', async () => {
    const db = database({ up: true, pending: [] });
    const ready = identityReadiness(db);
    await ready();
    await ready();
    expect(db.migrationChecks()).toBe(1);
  });

  it('reports both checks when the database is down from the start', async () => {
    const ready = identityReadiness(database({ up: false, pending: [] }));
    expect(await ready()).toEqual({
      ok: false,
      errors: { database: DATABASE_DOWN, migrations: MIGRATIONS_PENDING },
    });
  });
});
