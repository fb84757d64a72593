/**
 * Kratos's "salting format" (`pf=`) for salted digests: a template such as `{SALT}{PASSWORD}` or
 * `{PASSWORD}%%{SALT}` giving the exact bytes that were digested.
 */

const PLACEHOLDER = /\{SALT\}|\{PASSWORD\}/g;

/** Whether a template uses the password at all; one that does not would accept any password. */
export function mentionsPassword(format: Buffer): boolean {
  return format.toString('latin1').includes('{PASSWORD}');
}

/**
 * Fills the template in one left-to-right pass (like Go's `strings.Replacer`), so a password
 * containing `{SALT}` is not expanded again. Works on bytes, so a salt that is not UTF-8 survives.
 */
export function applySaltingFormat(format: Buffer, salt: Buffer, password: Buffer): Buffer {
  // latin1 maps each byte to one character, so string indices are byte offsets.
  const text = format.toString('latin1');
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(format.subarray(last, match.index), match[0] === '{SALT}' ? salt : password);
    last = match.index + match[0].length;
  }
  parts.push(format.subarray(last));
  return Buffer.concat(parts);
}
