/**
 * The `format` values identity schemas are checked against: exactly the formats of
 * ory/jsonschema's `Formats` map (the validator Kratos uses), with its semantics, which are Go's
 * (`time.Parse`, `net/url.Parse`, `net.ParseIP`, libphonenumber), plus Kratos's opt-outs
 * `no-validate` and `noformat`. Any other format name (`url`, `uuid`, `duration`, `byte`, ...)
 * is not checked at all, as in Kratos: a schema that relies on one gets no protection from it.
 *
 * Known difference: ory/jsonschema also applies these formats to non-string values (and fails
 * them); here, as in JSON Schema, a format only constrains strings.
 */

import type { Ajv } from 'ajv';
import { isGoIPv6, isGoUri, isGoUriReference, isGoUriTemplate } from './go-url.js';
import { isPhoneNumber } from './normalize.js';

export { isPhoneNumber } from './normalize.js';

const accept = (): boolean => true;

/** Format name -> check, as in ory/jsonschema `formats.go` (aliases included). */
export const IDENTITY_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  'date-time': isDateTime,
  date: isDate,
  time: isTime,
  hostname: isHostname,
  email: isEmail,
  tel: isPhoneNumber,
  // ory/jsonschema maps the draft-03 name `ip-address` to its IPv4 check.
  'ip-address': isIPv4,
  ipv4: isIPv4,
  ipv6: isGoIPv6,
  uri: isGoUri,
  // Go's URL parser accepts non-ASCII, so the IRI formats are the URI ones.
  iri: isGoUri,
  'uri-reference': isGoUriReference,
  uriref: isGoUriReference,
  'iri-reference': isGoUriReference,
  'uri-template': isGoUriTemplate,
  regex: isRegex,
  'json-pointer': isJsonPointer,
  'relative-json-pointer': isRelativeJsonPointer,
  // Kratos's opt-out for traits with `verification` (identity/extension_verification.go); older
  // Kratos spelled it `noformat`. Both accept anything, as an unknown format would.
  'no-validate': accept,
  noformat: accept,
};

/** Installs the identity-schema formats on an Ajv instance, and no others. */
export function addIdentityFormats(ajv: Ajv): void {
  for (const [name, validate] of Object.entries(IDENTITY_FORMATS)) {
    ajv.addFormat(name, { type: 'string', validate });
  }
}

const UTF8 = new TextEncoder();
const byteLength = (value: string): number => UTF8.encode(value).length;
/** An RFC 5322 dot-atom local part; letters and digits of any script are allowed (RFC 6532), as Go's net/mail does. */
const DOT_ATOM = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
/** An RFC 5322 quoted-string local part. */
const QUOTED_STRING = /^"(?:[^"\\\r\n]|\\[^\r\n])*"$/u;

/**
 * Email check with Kratos's rules: whole address at most 254 bytes, local part at most 64,
 * domain a host name (no dot required: `admin@localhost` passes). Unlike Kratos, whitespace
 * around the address is tolerated because normalisation trims it anyway; the trait keeps what
 * was sent.
 */
export function isEmail(value: string): boolean {
  const address = value.trim();
  if (byteLength(address) > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (byteLength(local) > 64) return false;
  if (!isHostname(domain)) return false;
  return DOT_ATOM.test(local) || QUOTED_STRING.test(local);
}

/**
 * ory/jsonschema's host name check (RFC 1034/1123): at most 253 bytes without one trailing dot,
 * labels of 1 to 63 ASCII letters, digits and hyphens, not ending with a hyphen. Only the first
 * character of the whole name may not be a hyphen: Go tests `s[0]` for every label, a quirk kept
 * so the same names pass.
 */
export function isHostname(value: string): boolean {
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (byteLength(host) > 253) return false;
  return host
    .split('.')
    .every(
      (label) =>
        label.length >= 1 &&
        label.length <= 63 &&
        !host.startsWith('-') &&
        !label.endsWith('-') &&
        /^[A-Za-z0-9-]+$/.test(label),
    );
}

/** ory/jsonschema's `isIPV4`: four dot-separated Go `Atoi` numbers (sign and leading zeros allowed) in 0..255. */
export function isIPv4(value: string): boolean {
  const groups = value.split('.');
  return (
    groups.length === 4 &&
    groups.every((group) => {
      if (!/^[+-]?[0-9]+$/.test(group)) return false;
      const n = Number(group);
      return n >= 0 && n <= 255;
    })
  );
}

// Go's time.Parse with the layouts ory/jsonschema uses ("2006-01-02", "15:04:05Z07:00",
// RFC 3339 and its Nano variant, which accept the same strings): the hour may have one digit,
// everything else has fixed width; a fraction of any length after `.` or `,`; the zone is `Z` or
// ±hh:mm with hours up to 24 and minutes up to 60 (Go's own leniency); no leap seconds.
const DATE = '([0-9]{4})-([0-9]{2})-([0-9]{2})';
const TIME = '([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))';
const DATE_ONLY = new RegExp(`^${DATE}$`);
const TIME_ONLY = new RegExp(`^${TIME}$`);
const DATE_TIME = new RegExp(`^${DATE}T${TIME}$`);

/** Format `date`: Go `time.Parse("2006-01-02", s)`. */
export function isDate(value: string): boolean {
  const m = DATE_ONLY.exec(value);
  return m !== null && validDate(m[1], m[2], m[3]);
}

/** Format `time`: Go `time.Parse("15:04:05Z07:00", s)`, with or without fraction. */
export function isTime(value: string): boolean {
  const m = TIME_ONLY.exec(value);
  return m !== null && validTime(m[1], m[2], m[3], m[4], m[5]);
}

/** Format `date-time`: Go `time.Parse(time.RFC3339, s)` or `RFC3339Nano`. */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  return m !== null && validDate(m[1], m[2], m[3]) && validTime(m[4], m[5], m[6], m[7], m[8]);
}

function validDate(y?: string, mo?: string, d?: string): boolean {
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

function validTime(h?: string, mi?: string, s?: string, zh?: string, zm?: string): boolean {
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return false;
  return zh === undefined || (Number(zh) <= 24 && Number(zm) <= 60);
}

/** Go's `regexp/syntax` escapes of a letter; any other escaped letter is an error there. */
const RE2_LETTER_ESCAPES = new Set('afntrvxpPdDsSwWbBAzQE');

/**
 * Format `regex`: ory/jsonschema compiles with Go's `regexp` (RE2). Approximated: RE2's
 * unsupported constructs (lookaround, backreferences, unknown letter escapes) are refused, its
 * own syntax (`(?P<name>`, inline flags) is accepted, and the rest must compile as JavaScript.
 */
export function isRegex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') {
      const next = value[i + 1] ?? '';
      if (/[1-9]/.test(next)) return false;
      if (/[A-Za-z]/.test(next) && !RE2_LETTER_ESCAPES.has(next)) return false;
      i += 1;
    } else if (c === '(' && /^\(\?<?[=!]/.test(value.slice(i, i + 4))) {
      return false;
    }
  }
  const translated = value
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:');
  try {
    new RegExp(translated);
    return true;
  } catch {
    return false;
  }
}

/** Format `json-pointer`: ory/jsonschema's check (`~` must be followed by `0`, `1` or `~`). */
export function isJsonPointer(value: string): boolean {
  if (value !== '' && !value.startsWith('/')) return false;
  return value.split('/').every((item) => {
    for (let i = 0; i < item.length; i++) {
      if (item[i] !== '~') continue;
      const next = item[i + 1];
      if (next !== '~' && next !== '0' && next !== '1') return false;
    }
    return true;
  });
}

/** Format `relative-json-pointer`: a number (no leading zeros), then `#` or a JSON pointer. */
export function isRelativeJsonPointer(value: string): boolean {
  const m = /^(?:0|[1-9][0-9]*)/.exec(value);
  if (m === null) return false;
  const rest = value.slice(m[0].length);
  return rest === '#' || isJsonPointer(rest);
}
