/**
 * The `format` values identity schemas use. ajv-formats supplies the standard ones (`uri`,
 * `date`, `date-time`, ...); `email` and `tel` are replaced or added to behave like Kratos's
 * validator (ory/jsonschema), and Kratos's opt-out formats are accepted.
 */

import type { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { looksLikeInternationalPhone } from './normalize.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the module object.
const addFormats = formatsModule.default;

/** Installs the identity-schema formats on an Ajv instance. */
export function addIdentityFormats(ajv: Ajv): void {
  addFormats(ajv);
  ajv.addFormat('email', { type: 'string', validate: isEmail });
  ajv.addFormat('tel', { type: 'string', validate: isPhoneNumber });
  // Kratos lets a trait with `verification` opt out of format checks with either spelling.
  ajv.addFormat('no-validate', true);
  ajv.addFormat('noformat', true);
}

const UTF8 = new TextEncoder();
/** An RFC 5322 dot-atom local part; letters and digits of any script are allowed (RFC 6532), as Go's net/mail does. */
const DOT_ATOM = /^[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{M}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
/** An RFC 5322 quoted-string local part. */
const QUOTED_STRING = /^"(?:[^"\\\r\n]|\\[^\r\n])*"$/u;
const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Email check with Kratos's rules: whole address at most 254 bytes, local part at most 64,
 * domain a host name (no dot required: `admin@localhost` passes). Unlike Kratos, whitespace
 * around the address is tolerated because normalisation trims it anyway; the trait keeps what
 * was sent.
 */
export function isEmail(value: string): boolean {
  const address = value.trim();
  if (UTF8.encode(address).length > 254) return false;
  const at = address.lastIndexOf('@');
  if (at <= 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (UTF8.encode(local).length > 64) return false;
  if (!isHostname(domain)) return false;
  return DOT_ATOM.test(local) || QUOTED_STRING.test(local);
}

/** Host name per RFC 1123: at most 253 characters of dot-separated labels of letters, digits and inner hyphens. */
export function isHostname(value: string): boolean {
  const host = value.endsWith('.') ? value.slice(0, -1) : value;
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * Lenient E.164 check for `format: tel`: a `+`, then 7 to 15 digits, with spaces, dashes,
 * dots and parentheses allowed in between. Kratos uses libphonenumber, which also requires
 * the international form but additionally checks per-country number plans.
 */
export function isPhoneNumber(value: string): boolean {
  return looksLikeInternationalPhone(value);
}
