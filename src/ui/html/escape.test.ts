import { describe, expect, it } from 'vitest';
import { attributes, escapeHtml, html, SafeHtml, safeUrl, unsafeRaw } from './escape.js';

describe('escapeHtml', () => {
  it('escapes what can end a text node or a quoted attribute', () => {
    expect(escapeHtml(`"><script>alert('x')</script>&\``)).toBe(
      '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;',
    );
  });
});

describe('html', () => {
  it('escapes interpolated text in text and attribute contexts', () => {
    const hostile = '"><img src=x onerror=alert(1)>';
    expect(html`<p title="${hostile}">${hostile}</p>`.toString()).toBe(
      '<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</p>',
    );
  });

  it('keeps nested SafeHtml, joins arrays and drops empties', () => {
    const items = ['a<', 'b'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${true}${0}`.toString()).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul>0',
    );
    expect(html`${unsafeRaw('<br>')}`).toBeInstanceOf(SafeHtml);
    expect(html`${unsafeRaw('<br>')}`.toString()).toBe('<br>');
  });

  it('does not trust objects that only look like SafeHtml', () => {
    const fake = { toString: () => '<b>' } as unknown as string;
    expect(html`${fake}`.toString()).toBe('&lt;b&gt;');
  });
});

describe('attributes', () => {
  it('writes present attributes in order, bare for true, escaped', () => {
    expect(
      attributes({ id: 'a"b', required: true, disabled: false, value: undefined, maxlength: 6 }).toString(),
    ).toBe(' id="a&quot;b" required maxlength="6"');
  });

  it('refuses attribute names that are not plain', () => {
    expect(() => attributes({ 'onclick x': 'y' })).toThrow(/not an attribute name/);
  });
});

describe('safeUrl', () => {
  it.each([
    ['https://example.com/a?b=c', 'https://example.com/a?b=c'],
    [
      'http://127.0.0.1:4433/self-service/logout?token=x',
      'http://127.0.0.1:4433/self-service/logout?token=x',
    ],
    ['/ui/login', '/ui/login'],
  ])('keeps %s', (input, expected) => {
    expect(safeUrl(input)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example/x',
    '/\\evil.example',
    'vbscript:x',
    'not a url',
  ])('refuses %s', (input) => {
    expect(safeUrl(input)).toBeUndefined();
  });

  it('allows raster data images only where asked', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(safeUrl(png)).toBeUndefined();
    expect(safeUrl(png, { allowDataImage: true })).toBe(png);
    expect(safeUrl('data:image/svg+xml;base64,PHN2Zz4=', { allowDataImage: true })).toBeUndefined();
  });
});
