import { describe, expect, it } from 'vitest';
import { parseCsvRecord } from './csv-record.js';

describe('parseCsvRecord', () => {
  it("reads Go's encoding/csv record syntax (castx.ToStringSlice's cases)", () => {
    expect(parseCsvRecord('foo,bar')).toEqual(['foo', 'bar']);
    expect(parseCsvRecord('foo bar baz')).toEqual(['foo bar baz']);
    expect(parseCsvRecord('foo,bar,"baz,", asdf')).toEqual(['foo', 'bar', 'baz,', 'asdf']);
    expect(parseCsvRecord('\'foo\',"x""bar",baz')).toEqual(["'foo'", 'x"bar', 'baz']);
  });

  it('keeps quoted fields exactly, trims and drops empty unquoted ones', () => {
    expect(parseCsvRecord('" padded ",,  b ,')).toEqual([' padded ', 'b']);
    expect(parseCsvRecord('""')).toEqual(['']);
    expect(parseCsvRecord('')).toEqual([]);
  });

  it('refuses what Go refuses: an open quote, text after a closing quote, a bare quote', () => {
    expect(parseCsvRecord('"open')).toBeUndefined();
    expect(parseCsvRecord('"closed"tail,b')).toBeUndefined();
    expect(parseCsvRecord('a"b')).toBeUndefined();
  });
});
