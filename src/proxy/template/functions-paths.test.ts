import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute({});
  return result.ok ? result.value : `error: ${result.error.message}`;
}

describe("sprig path functions (Go's path)", () => {
  it.each([
    ['{{ base "/a/b.txt" }} {{ base "/a/b/" }} {{ base "" }} {{ base "///" }}', 'b.txt b . /'],
    ['{{ dir "/a/b/c" }} {{ dir "a" }} {{ dir "/" }} {{ dir "" }}', '/a/b . / .'],
    [
      '{{ clean "/a/../b/./c/" }} {{ clean "a/../../b" }} {{ clean "/../x" }} {{ clean "" }} {{ clean "a//b" }}',
      '/b/c ../b /x . a/b',
    ],
    ['{{ ext "x.tar.gz" }}|{{ ext "/a.b/c" }}|{{ ext "v1." }}', '.gz||.'],
    ['{{ isAbs "/a" }} {{ isAbs "a" }}', 'true false'],
  ])('%s', (source, expected) => {
    expect(render(source)).toBe(expected);
  });
});
