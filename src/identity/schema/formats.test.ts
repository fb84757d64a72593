import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../model.js';
import {
  IDENTITY_FORMATS,
  isDate,
  isDateTime,
  isEmail,
  isHostname,
  isIPv4,
  isJsonPointer,
  isPhoneNumber,
  isRegex,
  isRelativeJsonPointer,
  isTime,
} from './formats.js';
import { isGoIPv6, isGoUri, isGoUriReference, isGoUriTemplate } from './go-url.js';
import { createSchemaRegistry } from './registry.js';

/** Validates `{ field: value }` against a trait schema with `format`, through the compiled schema. */
async function formatErrors(format: string, value: unknown): Promise<string[]> {
  const field: JsonObject = { format };
  const document = { type: 'object', properties: { traits: { type: 'object', properties: { field } } } };
  const url = `base64://${Buffer.from(JSON.stringify(document)).toString('base64')}`;
  const schema = (await createSchemaRegistry([{ id: 'x', url }], 'x')).getDefault();
  const result = schema.validate({ field: value });
  return result.ok ? [] : result.errors.map((e) => e.message);
}

describe('the format set (ory/jsonschema Formats + Kratos opt-outs)', () => {
  it('checks exactly the formats ory/jsonschema knows', () => {
    expect(Object.keys(IDENTITY_FORMATS).sort()).toEqual(
      [
        'date-time',
        'date',
        'time',
        'hostname',
        'email',
        'tel',
        'ip-address',
        'ipv4',
        'ipv6',
        'uri',
        'iri',
        'uri-reference',
        'uriref',
        'iri-reference',
        'uri-template',
        'regex',
        'json-pointer',
        'relative-json-pointer',
        'no-validate',
        'noformat',
      ].sort(),
    );
  });

  it.each([
    ['url', 'foo'],
    ['uuid', 'not-a-uuid'],
    ['duration', 'forever'],
    ['byte', '***'],
    ['int32', 'x'],
    ['no-validate', 'anything'],
    ['noformat', 'anything'],
  ])('does not check format %j (%j passes)', async (format, value) => {
    expect(await formatErrors(format, value)).toEqual([]);
  });

  it.each([
    ['iri', 'not an iri', '"not an iri" is not valid "iri"'],
    ['ip-address', '999.1.1.1', '"999.1.1.1" is not valid "ip-address"'],
    ['tel', '+1 000 000 0000', '"+1 000 000 0000" is not valid "tel"'],
    ['uriref', ':nope', '":nope" is not valid "uriref"'],
  ])('checks format %j (%j fails)', async (format, value, message) => {
    expect(await formatErrors(format, value)).toEqual([message]);
  });

  it('accepts unicode in IRIs, as Go url.Parse does', async () => {
    expect(await formatErrors('iri', 'https://例え.jp/パス?q=ü#frag')).toEqual([]);
  });
});

describe('isEmail', () => {
  it.each([
    'foo@example.com',
    'Foo.Bar+tag@Example.COM',
    'admin@localhost',
    '"john doe"@example.com',
    'jörg@example.de',
    '  foo@example.com ',
  ])('accepts %j', (value) => {
    expect(isEmail(value)).toBe(true);
  });

  it.each([
    'not-an-email',
    '@example.com',
    'foo@',
    'foo@-example.com',
    'foo@exa mple.com',
    'foo..bar@example.com',
    'foo@bär.de',
    `${'a'.repeat(65)}@example.com`,
    `foo@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
  ])('rejects %j', (value) => {
    expect(isEmail(value)).toBe(false);
  });
});

describe('isHostname', () => {
  it('accepts labels of letters, digits and hyphens, and a trailing dot', () => {
    expect(isHostname('a-b.example.com.')).toBe(true);
    expect(isHostname('a_b.example.com')).toBe(false);
    expect(isHostname('')).toBe(false);
    expect(isHostname('-a.example.com')).toBe(false);
    expect(isHostname('a-.example.com')).toBe(false);
    // Go only tests the name's first character for a leading hyphen.
    expect(isHostname('a.-b.com')).toBe(true);
  });
});

describe('isPhoneNumber (format tel): libphonenumber, region unknown, IsValidNumber', () => {
  it('requires a valid number in the international form', () => {
    expect(isPhoneNumber('+49 30 1234567')).toBe(true);
    expect(isPhoneNumber('+44 (0)20 7946 0958')).toBe(true);
    expect(isPhoneNumber('+1 (201) 555-0123')).toBe(true);
    expect(isPhoneNumber('030 1234567')).toBe(false);
    expect(isPhoneNumber('+1 000 000 0000')).toBe(false);
    // 555 is no NANP area code; a length check alone would take it.
    expect(isPhoneNumber('+1 555 123 4567')).toBe(false);
    expect(isPhoneNumber('+12015550123abc')).toBe(false);
  });
});

describe('Go-semantics formats', () => {
  it('ipv4 / ip-address: four Atoi numbers in 0..255', () => {
    expect(isIPv4('192.168.0.1')).toBe(true);
    expect(isIPv4('010.0.0.1')).toBe(true);
    expect(isIPv4('999.1.1.1')).toBe(false);
    expect(isIPv4('1.2.3')).toBe(false);
    expect(isIPv4('1.2.3.x')).toBe(false);
  });

  it('ipv6: net.ParseIP with a colon, no zone', () => {
    for (const ok of ['::', '::1', '2001:db8::1', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8']) {
      expect(isGoIPv6(ok)).toBe(true);
    }
    for (const bad of [
      '1.2.3.4',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      '::ffff:01.2.3.4',
      ':1',
    ]) {
      expect(isGoIPv6(bad)).toBe(false);
    }
  });

  it('uri / uri-reference / uri-template: Go url.Parse', () => {
    expect(isGoUri('https://example.com/a b')).toBe(true);
    expect(isGoUri('mailto:ada@example.com')).toBe(true);
    expect(isGoUri('/relative')).toBe(false);
    expect(isGoUri('http://exa mple.com/')).toBe(false);
    expect(isGoUri('http://example.com/%zz')).toBe(false);
    expect(isGoUri('http://example.com:80:80/')).toBe(false);
    expect(isGoUri('http://[::1]:8080/')).toBe(true);
    expect(isGoUri('http://[1.2.3.4]/')).toBe(false);
    expect(isGoUriReference('../a/b?c#d')).toBe(true);
    expect(isGoUriReference('a:b/c')).toBe(true);
    expect(isGoUriReference('1a:b')).toBe(false);
    expect(isGoUriReference('with\ncontrol')).toBe(false);
    expect(isGoUriTemplate('https://example.com/users/{id}/posts')).toBe(true);
    expect(isGoUriTemplate('https://example.com/{{id}}')).toBe(false);
    expect(isGoUriTemplate('https://example.com/{id')).toBe(false);
  });

  it('date, time, date-time: Go time.Parse', () => {
    expect(isDate('2024-02-29')).toBe(true);
    expect(isDate('2023-02-29')).toBe(false);
    expect(isDate('2024-13-01')).toBe(false);
    expect(isDate('2024-1-01')).toBe(false);
    expect(isTime('23:59:59Z')).toBe(true);
    expect(isTime('9:05:00.123+02:00')).toBe(true);
    expect(isTime('23:59:60Z')).toBe(false);
    expect(isTime('12:00:00')).toBe(false);
    expect(isDateTime('2024-05-01T12:30:00Z')).toBe(true);
    expect(isDateTime('2024-05-01T12:30:00.5-07:00')).toBe(true);
    expect(isDateTime('2024-05-01t12:30:00Z')).toBe(false);
    expect(isDateTime('2024-05-01 12:30:00Z')).toBe(false);
  });

  it('regex: RE2 syntax', () => {
    expect(isRegex('^[a-z]+$')).toBe(true);
    expect(isRegex('(?P<name>a)(?i)b')).toBe(true);
    expect(isRegex('a(?=b)')).toBe(false);
    expect(isRegex('(a)\\1')).toBe(false);
    expect(isRegex('[')).toBe(false);
  });

  it('json-pointer and relative-json-pointer', () => {
    expect(isJsonPointer('')).toBe(true);
    expect(isJsonPointer('/a~1b/c~0')).toBe(true);
    expect(isJsonPointer('a')).toBe(false);
    expect(isJsonPointer('/a~2')).toBe(false);
    expect(isRelativeJsonPointer('0#')).toBe(true);
    expect(isRelativeJsonPointer('12/a')).toBe(true);
    expect(isRelativeJsonPointer('01/a')).toBe(false);
    expect(isRelativeJsonPointer('#')).toBe(false);
  });
});
