import { Jsonnet } from '@hanazuki/node-jsonnet';
import { describe, expect, it } from 'vitest';
import { findImport } from './imports.js';

/** A path that does not exist: libjsonnet reports "couldn't open import" if it tries it. */
const PROBE = '(importstr "/nonexistent/portcullis-import-probe")';

/**
 * Sources where the word appears, each with whether libjsonnet sees an import. Every source is
 * built so that an import, if libjsonnet lexes one, is evaluated.
 */
const CORPUS: Array<{ name: string; source: string; imports: boolean }> = [
  { name: 'a bare importstr', source: PROBE, imports: true },
  { name: 'import in an array', source: `[1, ${PROBE}]`, imports: true },
  { name: 'the word in a double-quoted string', source: '"import"', imports: false },
  { name: 'the word in a single-quoted string', source: "'it\\'s an import'", imports: false },
  { name: 'escaped quotes around the word', source: '"a \\" import \\" b"', imports: false },
  { name: 'an escaped backslash closing a string', source: `"\\\\" + ${PROBE}`, imports: true },
  { name: 'an escaped quote before an import', source: `'\\'' + ${PROBE}`, imports: true },
  { name: 'a newline in a string', source: '"a\nimport\nb"', imports: false },
  { name: 'a verbatim string with a doubled quote', source: '@"say "" import "" again"', imports: false },
  { name: 'a single-quoted verbatim string', source: "@'it''s import'", imports: false },
  { name: 'a backslash ends a verbatim string', source: `@"a\\" + ${PROBE} + @"\\"`, imports: true },
  { name: 'a verbatim string of one quote', source: `@"""" + ${PROBE}`, imports: true },
  { name: 'comment markers in strings', source: `"#" + @'//' + "/*" + ${PROBE}`, imports: true },
  { name: 'a text block marker in a string', source: `"|||" + ${PROBE}`, imports: true },
  { name: 'a line comment', source: `// ${PROBE}\n1`, imports: false },
  { name: 'a hash comment', source: `# ${PROBE}\n1`, imports: false },
  { name: 'a block comment', source: `/* ${PROBE} */ 1`, imports: false },
  { name: 'a block comment over lines', source: `/*\n ${PROBE}\n*/ 1`, imports: false },
  { name: 'a block comment opened with /*/', source: `/*/ ${PROBE} */ 1`, imports: false },
  { name: 'an empty block comment', source: `/**/${PROBE}`, imports: true },
  { name: 'the word in a text block', source: `|||\n  ${PROBE}\n|||`, imports: false },
  { name: 'a quote in a text block', source: `|||\n  "\n||| + ${PROBE}`, imports: true },
  {
    name: 'a text block with blank lines and tabs',
    source: `|||\n\n\t a\n\n\t ${PROBE}\n|||`,
    imports: false,
  },
  { name: '||| inside a text block line', source: `|||\n  a ||| ${PROBE}\n|||`, imports: false },
  {
    name: 'a text block closed by a less indented line',
    source: `{ a: |||\n    x\n  |||, b: ${PROBE} }`,
    imports: true,
  },
  { name: 'a text block closed after tabs', source: `[|||\n  x\n \t|||, ${PROBE}]`, imports: true },
  { name: 'a text block with CRLF lines', source: `[||| \r\n  ${PROBE}\r\n|||, 1]`, imports: false },
  { name: 'a local bound to an import', source: `local x = |||\n  y\n|||; [x, ${PROBE}]`, imports: true },
  {
    name: 'an identifier containing the word',
    source: 'local importer = 1; local my_import = 2; importer + my_import',
    imports: false,
  },
  { name: 'an import after a number', source: `[0, 1+${PROBE}]`, imports: true },
];

async function libjsonnetImports(source: string): Promise<boolean> {
  try {
    await new Jsonnet().evaluateSnippet(source, 'probe.jsonnet');
    return false;
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toMatch(/^STATIC ERROR/);
    return message.includes("couldn't open import");
  }
}

describe('findImport', () => {
  it('accepts sources without the word at all', () => {
    expect(findImport('function(ctx) { traits: ctx.identity.traits }')).toBeUndefined();
    expect(findImport('{ important: "imported" }')).toBeUndefined();
  });

  it.each(CORPUS)('agrees with libjsonnet: $name', async ({ source, imports }) => {
    const found = findImport(source);
    expect(found === undefined ? false : typeof found === 'object').toBe(imports);
    expect(await libjsonnetImports(source)).toBe(imports);
  });

  it('tells which keyword and where', () => {
    expect(findImport('{\n  a: importbin "x",\n}')).toEqual({ keyword: 'importbin', line: 2, column: 6 });
    expect(findImport('"a\nb" + import "x"')).toEqual({ keyword: 'import', line: 2, column: 6 });
  });

  it('gives up on sources libjsonnet cannot lex either', async () => {
    for (const source of [
      '"import',
      "@'import",
      '/* import',
      '|||import\n',
      '|||\nimport\n|||',
      '|||\n  import\n',
    ]) {
      expect(findImport(source)).toBe('unverifiable');
      await expect(new Jsonnet().evaluateSnippet(source)).rejects.toThrow(/^STATIC ERROR/);
    }
  });
});
