/**
 * Semantic versions as github.com/blang/semver (v3) parses and orders them, which is what
 * Oathkeeper's rule migrator uses: `Major.Minor.Patch[-pre.release][+build.meta]`, numbers
 * without leading zeroes, no `v` (the migrator strips one first).
 */

export interface SemVersion {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  /** Pre-release identifiers: numbers compare as numbers, below any text. */
  readonly pre: readonly (bigint | string)[];
}

export type SemverResult = { ok: true; version: SemVersion } | { ok: false; message: string };

const NUMBERS = /^[0-9]*$/;
const ALPHANUM = /^[0-9A-Za-z-]*$/;
const UINT64_MAX = 18446744073709551615n;

/** blang/semver's `Parse` (`Make`), error messages included. */
export function parseSemver(text: string): SemverResult {
  if (text.length === 0) return fail('Version string empty');
  const parts = splitN(text, '.', 3);
  if (parts.length !== 3) return fail('No Major.Minor.Patch elements found');
  const [majorText = '', minorText = '', rest = ''] = parts;
  const major = number(majorText, 'major');
  if (typeof major === 'string') return fail(major);
  const minor = number(minorText, 'minor');
  if (typeof minor === 'string') return fail(minor);

  let patchText = rest;
  let build: string[] = [];
  let prerelease: string[] = [];
  const buildAt = patchText.indexOf('+');
  if (buildAt !== -1) {
    build = patchText.slice(buildAt + 1).split('.');
    patchText = patchText.slice(0, buildAt);
  }
  const preAt = patchText.indexOf('-');
  if (preAt !== -1) {
    prerelease = patchText.slice(preAt + 1).split('.');
    patchText = patchText.slice(0, preAt);
  }
  const patch = number(patchText, 'patch');
  if (typeof patch === 'string') return fail(patch);

  const pre: (bigint | string)[] = [];
  for (const part of prerelease) {
    if (part.length === 0) return fail('Prerelease is empty');
    if (NUMBERS.test(part)) {
      if (leadingZeroes(part))
        return fail(`Numeric PreRelease version must not contain leading zeroes ${JSON.stringify(part)}`);
      const value = BigInt(part);
      if (value > UINT64_MAX)
        return fail(`strconv.ParseUint: parsing ${JSON.stringify(part)}: value out of range`);
      pre.push(value);
    } else if (ALPHANUM.test(part)) {
      pre.push(part);
    } else {
      return fail(`Invalid character(s) found in prerelease ${JSON.stringify(part)}`);
    }
  }
  for (const part of build) {
    if (part.length === 0) return fail('Build meta data is empty');
    if (!ALPHANUM.test(part))
      return fail(`Invalid character(s) found in build meta data ${JSON.stringify(part)}`);
  }
  return { ok: true, version: { major, minor, patch, pre } };
}

/** blang/semver's `Compare`: -1, 0 or 1; build metadata is ignored. */
export function compareSemver(a: SemVersion, b: SemVersion): -1 | 0 | 1 {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] > b[key] ? 1 : -1;
  }
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  let i = 0;
  for (; i < a.pre.length && i < b.pre.length; i++) {
    const x = a.pre[i] as bigint | string;
    const y = b.pre[i] as bigint | string;
    if (x === y) continue;
    if (typeof x === 'bigint' && typeof y === 'string') return -1;
    if (typeof x === 'string' && typeof y === 'bigint') return 1;
    return x > y ? 1 : -1;
  }
  if (i === a.pre.length && i === b.pre.length) return 0;
  return i === a.pre.length ? -1 : 1;
}

/** A version known to parse (the migrator's constants). */
export function semver(text: string): SemVersion {
  const result = parseSemver(text);
  if (!result.ok) throw new Error(`not a semantic version: ${text}`);
  return result.version;
}

function number(text: string, name: string): bigint | string {
  if (!NUMBERS.test(text)) return `Invalid character(s) found in ${name} number ${JSON.stringify(text)}`;
  if (leadingZeroes(text))
    return `${capitalise(name)} number must not contain leading zeroes ${JSON.stringify(text)}`;
  if (text === '') return `strconv.ParseUint: parsing "": invalid syntax`;
  const value = BigInt(text);
  if (value > UINT64_MAX) return `strconv.ParseUint: parsing ${JSON.stringify(text)}: value out of range`;
  return value;
}

function leadingZeroes(text: string): boolean {
  return text.length > 1 && text[0] === '0';
}

function capitalise(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

/** Go's `strings.SplitN`. */
function splitN(text: string, separator: string, n: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (out.length < n - 1) {
    const at = rest.indexOf(separator);
    if (at === -1) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + separator.length);
  }
  out.push(rest);
  return out;
}

function fail(message: string): SemverResult {
  return { ok: false, message };
}
