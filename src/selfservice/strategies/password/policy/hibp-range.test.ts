import { describe, expect, it } from 'vitest';
import { hashParts, parseRange } from './hibp-range.js';

describe('hashParts', () => {
  it('splits the upper-case SHA-1 into a 5-character prefix and a 35-character suffix', () => {
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8, the HIBP documentation's example.
    expect(hashParts('password')).toEqual({ prefix: '5BAA6', suffix: '1E4C9B93F3F0682250B6CF8331B7EE68FD8' });
  });

  it('hashes the UTF-8 bytes', () => {
    // SHA-1 of the UTF-8 bytes of "ä" (C3 A4).
    expect(hashParts('ä')).toEqual({ prefix: '961FA', suffix: '22F61A56E19F3F5F8867901AC8CF5E6D11F' });
  });
});

describe('parseRange', () => {
  it('reads CRLF-separated SUFFIX:COUNT lines', () => {
    const parsed = parseRange(
      '0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2\r\n',
    );
    expect(parsed).toEqual({
      ok: true,
      counts: new Map([
        ['0018A45C4D1DEF81644B54AB7F969B88D65', 1],
        ['00D4F6E8FA6EECAD2A3AA415EEC418D38EC', 2],
      ]),
    });
  });

  it('drops padding lines with count 0', () => {
    const parsed = parseRange('AAAA:0\r\nBBBB:5');
    expect(parsed).toEqual({ ok: true, counts: new Map([['BBBB', 5]]) });
  });

  it('accepts LF line ends and upper-cases suffixes', () => {
    expect(parseRange('abcd:7\n')).toEqual({ ok: true, counts: new Map([['ABCD', 7]]) });
  });

  it('reads a line without a colon as one breach, as Kratos does (ory/kratos#2145)', () => {
    expect(parseRange('ABCD')).toEqual({ ok: true, counts: new Map([['ABCD', 1]]) });
  });

  it('ignores digit-grouping commas in a count', () => {
    expect(parseRange('ABCD:1,234')).toEqual({ ok: true, counts: new Map([['ABCD', 1234]]) });
  });

  it('reports a count that is not a number as malformed', () => {
    expect(parseRange('ABCD:2\r\nEFGH:text')).toEqual({ ok: false, line: 'EFGH:text' });
    expect(parseRange('ABCD:-1')).toEqual({ ok: false, line: 'ABCD:-1' });
  });

  it('reads an empty body as an empty range', () => {
    expect(parseRange('')).toEqual({ ok: true, counts: new Map() });
  });
});
