import { describe, expect, it } from 'vitest';
import { compileTemplate } from './index.js';

function render(source: string, data: unknown = {}): string {
  const compiled = compileTemplate(source);
  if (!compiled.ok) return `compile error: ${compiled.error.message}`;
  const result = compiled.template.execute(data);
  return result.ok ? result.value : `error: ${result.error.message}`;
}

describe('sprig encodings and digests', () => {
  it.each([
    ['{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b64enc "" }}|{{ b64dec "" }}|', 'aGVsbG8= hello ||'],
    ['{{ b64dec "aGVs\\nbG8=" }} {{ b64dec "aGk=" }} {{ b64dec "aA==" }}', 'hello hi h'],
    // Go's base64 errors, returned as the text (sprig ignores the error).
    ['{{ b64dec "!!" }}', 'illegal base64 data at input byte 0'],
    ['{{ b64dec "aGVsbG8" }}', 'illegal base64 data at input byte 4'],
    ['{{ b64dec "aGVsbG8=x" }}', 'illegal base64 data at input byte 8'],
    ['{{ b64dec "a===" }}', 'illegal base64 data at input byte 1'],
    ['{{ b64dec "aG=" }}', 'illegal base64 data at input byte 3'],
    [
      '{{ b32enc "hello" }} {{ b32enc "a" }} {{ b32dec "NBSWY3DP" }} {{ b32dec "ME======" }}',
      'NBSWY3DP ME====== hello a',
    ],
    [
      '{{ b32dec "1" }}|{{ b32dec "ME" }}|{{ b32dec "M=======" }}',
      'illegal base32 data at input byte 0|illegal base32 data at input byte 0|illegal base32 data at input byte 1',
    ],
    ['{{ sha1sum "Hello world!" }}', 'd3486ae9136e7856bc42212385ea797094475802'],
    ['{{ sha256sum "Hello world!" }}', 'c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a'],
    ['{{ adler32sum "Wikipedia" }}', '300286872'],
    ['{{ .Subject | b64enc | b64dec }}', 'alice'],
  ])('%s', (source, expected) => {
    expect(render(source, { Subject: 'alice' })).toBe(expected);
  });

  it('makes version 4 UUIDs', () => {
    const first = render('{{ uuidv4 }}');
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(render('{{ uuidv4 }}')).not.toBe(first);
  });

  it('takes strings only, as sprig does', () => {
    expect(render('{{ b64enc 1 }}')).toBe('error: expected string; found 1');
    expect(render('{{ b64enc .n }}', { n: 1 })).toBe(
      'error: wrong type for value; expected string; got float64',
    );
  });
});
