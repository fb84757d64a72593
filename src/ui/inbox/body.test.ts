import { describe, expect, it } from 'vitest';
import { extractCodes, extractLinks, renderBody } from './body.js';

const BODY = [
  'Hi,',
  '',
  'please verify your email address by entering this code:',
  '',
  '123456',
  '',
  'Or open this link: http://127.0.0.1:4433/self-service/verification?flow=f&code=123456.',
  'Call 555 0100 or see (https://example.com/help).',
  '<script>alert(1)</script> javascript:alert(2)',
].join('\n');

describe('the dev inbox body', () => {
  it('finds codes on lines of their own, not numbers inside sentences', () => {
    expect(extractCodes(BODY)).toEqual(['123456']);
    expect(extractCodes('Your code is 123456 today')).toEqual([]);
  });

  it('finds http(s) links without the punctuation around them', () => {
    expect(extractLinks(BODY)).toEqual([
      'http://127.0.0.1:4433/self-service/verification?flow=f&code=123456',
      'https://example.com/help',
    ]);
  });

  it('renders the text escaped, with links clickable and codes marked', () => {
    const rendered = renderBody(BODY).toString();
    expect(rendered).toContain('<strong class="pc-code" data-code="123456">123456</strong>');
    expect(rendered).toContain(
      'Or open this link: <a class="pc-inbox-link" href="http://127.0.0.1:4433/self-service/verification?flow=f&amp;code=123456">http://127.0.0.1:4433/self-service/verification?flow=f&amp;code=123456</a>.',
    );
    expect(rendered).toContain(
      '(<a class="pc-inbox-link" href="https://example.com/help">https://example.com/help</a>).',
    );
    expect(rendered).toContain('&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(2)');
    expect(rendered).not.toContain('<script>');
    expect(rendered.split('\n')).toHaveLength(9);
  });

  it('keeps quotes in a URL from ending the attribute', () => {
    const rendered = renderBody('see https://example.com/a"onmouseover="x').toString();
    expect(rendered).toBe(
      'see <a class="pc-inbox-link" href="https://example.com/a">https://example.com/a</a>&quot;onmouseover=&quot;x',
    );
  });
});
