/** Sprig's path functions: Go's `path` package (slash-separated, as in URLs). */
import { fixed, type GoFunction } from './signature.js';

/** path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out.at(-1) !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** path.Base. */
function base(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Dir. */
function dir(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf('/') + 1));
}

/** path.Ext. */
function ext(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

export const PATH_FUNCTIONS: ReadonlyArray<readonly [string, GoFunction]> = [
  ['base', fixed(['string'], base)],
  ['dir', fixed(['string'], dir)],
  ['clean', fixed(['string'], cleanPath)],
  ['ext', fixed(['string'], ext)],
  ['isAbs', fixed(['string'], (p) => p.startsWith('/'))],
];
