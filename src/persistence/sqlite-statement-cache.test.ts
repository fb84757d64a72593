import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './sqlite-statement-cache.js';

describe('withStatementCache', () => {
  it('prepares each SQL text once and keeps answering correctly', () => {
    const raw = new SqliteDatabase(':memory:');
    const db = withStatementCache(raw, 2);
    db.prepare('create table t (v integer)').run([]);
    const insert = db.prepare('insert into t (v) values (?)');
    expect(db.prepare('insert into t (v) values (?)')).toBe(insert);
    insert.run([1]);
    db.prepare('insert into t (v) values (?)').run([2]);
    expect(db.prepare('select sum(v) as s from t').all([])).toEqual([{ s: 3 }]);
    db.close();
  });

  it('stays within its bound, dropping the oldest statement first', () => {
    const raw = new SqliteDatabase(':memory:');
    const db = withStatementCache(raw, 2);
    const first = db.prepare('select 1');
    db.prepare('select 2');
    db.prepare('select 3');
    expect(db.prepare('select 1')).not.toBe(first);
    db.close();
  });

  it('binds booleans as 0/1 and Dates as ISO text, whatever the query builder passed', () => {
    const raw = new SqliteDatabase(':memory:');
    const db = withStatementCache(raw, 4);
    db.prepare('create table t (flag integer, at text, n integer)').run([]);
    const at = new Date('2026-01-02T03:04:05.678Z');
    db.prepare('insert into t (flag, at, n) values (?, ?, ?)').run([true, at, 7]);
    db.prepare('insert into t (flag, at, n) values (?, ?, ?)').run([false, null, 8]);
    expect(db.prepare('select flag, at, n from t order by n').all([])).toEqual([
      { flag: 1, at: '2026-01-02T03:04:05.678Z', n: 7 },
      { flag: 0, at: null, n: 8 },
    ]);
    expect(db.prepare('select n from t where flag = ? and at = ?').all([true, at])).toEqual([{ n: 7 }]);
    db.close();
  });
});
