import { literal, Re2SyntaxError } from './re2.js';

/** Separators of Oathkeeper's globs (`glob.Compile(pattern, '.', '/')`). */
const NOT_SEPARATOR = '[^./]';

/**
 * Translates a gobwas/glob expression (as Oathkeeper compiles it, with `.` and `/` as
 * separators) into JavaScript regexp source:
 *
 * - `*` any run of characters without `.` or `/`; `**` any run of characters;
 * - `?` one character other than `.` or `/`;
 * - `[abc]`, `[a-z]`, `[!abc]`, `[!a-z]` one character in (not in) the set, separators included;
 * - `{a,b*,c}` any of the comma-separated globs;
 * - `\x` the character x.
 *
 * Throws {@link Re2SyntaxError} (shared syntax error type) on an unterminated `[` or `{`.
 */
export function translateGlob(glob: string): { source: string; unbounded: number } {
  let pos = 0;
  let unbounded = 0;

  const sequence = (inAlternative: boolean): string => {
    let out = '';
    while (pos < glob.length) {
      const char = glob.charAt(pos);
      if (inAlternative && (char === ',' || char === '}')) break;
      if (char === '*') {
        if (glob.charAt(pos + 1) === '*') {
          pos += 2;
          out += '[\\s\\S]*';
        } else {
          pos += 1;
          out += `${NOT_SEPARATOR}*`;
        }
        unbounded++;
      } else if (char === '?') {
        pos++;
        out += NOT_SEPARATOR;
      } else if (char === '[') {
        out += charClass();
      } else if (char === '{') {
        const start = pos;
        pos++;
        const branches = [sequence(true)];
        while (glob.charAt(pos) === ',') {
          pos++;
          branches.push(sequence(true));
        }
        if (glob.charAt(pos) !== '}') throw new Re2SyntaxError(`unterminated { at offset ${start}`);
        pos++;
        out += `(?:${branches.join('|')})`;
      } else {
        out += literal(escapedOrPlain());
      }
    }
    return out;
  };

  const escapedOrPlain = (): number => {
    if (glob.charAt(pos) === '\\' && pos + 1 < glob.length) pos++;
    const code = glob.codePointAt(pos) ?? 0;
    pos += code > 0xffff ? 2 : 1;
    return code;
  };

  const charClass = (): string => {
    const start = pos;
    pos++;
    const negated = glob.charAt(pos) === '!';
    if (negated) pos++;
    let body = '';
    while (pos < glob.length && glob.charAt(pos) !== ']') {
      const low = escapedOrPlain();
      if (glob.charAt(pos) === '-' && pos + 1 < glob.length && glob.charAt(pos + 1) !== ']') {
        pos++;
        const high = escapedOrPlain();
        if (high < low) throw new Re2SyntaxError(`invalid range at offset ${start}`);
        body += `${literal(low)}-${literal(high)}`;
      } else {
        body += literal(low);
      }
    }
    if (glob.charAt(pos) !== ']' || body === '')
      throw new Re2SyntaxError(`unterminated [ at offset ${start}`);
    pos++;
    return `[${negated ? '^' : ''}${body}]`;
  };

  const source = sequence(false);
  if (pos < glob.length) throw new Re2SyntaxError(`unexpected ${glob.charAt(pos)} at offset ${pos}`);
  return { source, unbounded };
}
