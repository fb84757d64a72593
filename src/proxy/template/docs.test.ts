import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from './functions.js';

const doc = readFileSync(new URL('../../../docs/proxy-templates.md', import.meta.url), 'utf8');

function section(from: string, to: string): string {
  const start = doc.indexOf(from);
  const end = doc.indexOf(to, start);
  expect(start).toBeGreaterThan(-1);
  expect(end).toBeGreaterThan(start);
  return doc.slice(start, end);
}

/** The first word of each `code span` in the first column of the function tables. */
function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const line of section('## Functions', '### Not available').split('\n')) {
    const cell = /^\| ([^|]*(?:\\\|[^|]*)*) \|/.exec(line)?.[1];
    if (cell === undefined) continue;
    for (const span of cell.matchAll(/`([^`]+)`/g)) {
      const word = span[1]?.split(' ')[0] ?? '';
      if (/^[a-zA-Z][a-zA-Z0-9]*$/.test(word)) names.add(word);
    }
  }
  return names;
}

describe('docs/proxy-templates.md', () => {
  it('lists exactly the functions that exist (`must` variants as "(and `must...`)")', () => {
    const documented = documentedNames();
    expect(documented.size).toBeGreaterThan(100);
    for (const name of documented) expect(FUNCTIONS.has(name), `${name} is documented`).toBe(true);
    for (const name of FUNCTIONS.keys()) {
      const plain = /^must[A-Z]/.test(name) ? `${name[4]!.toLowerCase()}${name.slice(5)}` : name;
      expect(documented.has(name) || documented.has(plain), `${name} is not documented`).toBe(true);
    }
  });

  it('names no function it calls unavailable', () => {
    const unavailable = section('### Not available', '## Differences');
    for (const span of unavailable.matchAll(/`([a-zA-Z][a-zA-Z0-9]*)`/g)) {
      expect(FUNCTIONS.has(span[1]!), `${span[1]} is available`).toBe(false);
    }
    expect(FUNCTIONS.has('env')).toBe(false);
    expect(FUNCTIONS.has('expandenv')).toBe(false);
  });
});
