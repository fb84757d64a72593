import { describe, expect, it } from 'vitest';
import { keysetPageLinks, numberedPageLinks } from './page-links.js';

describe('keysetPageLinks', () => {
  it('keeps every filter and replaces only the pagination parameters', () => {
    const links = keysetPageLinks(
      '/admin/identities?ids=a&ids=b&page_size=5&page_token=old&page=3',
      2,
      'tok',
    );
    expect(links).toBe(
      '</admin/identities?ids=a&ids=b&page_size=2>; rel="first",' +
        '</admin/identities?ids=a&ids=b&page_size=2&page_token=tok>; rel="next"',
    );
  });

  it('has no next link on the last page, and works without a query', () => {
    expect(keysetPageLinks('/admin/sessions', 250, undefined)).toBe(
      '</admin/sessions?page_size=250>; rel="first"',
    );
  });

  it('encodes what it sets', () => {
    expect(keysetPageLinks('/x?q=a%26b', 1, 'a+b/c=')).toContain(
      'q=a%26b&page_size=1&page_token=a%2Bb%2Fc%3D',
    );
  });
});

describe('numberedPageLinks', () => {
  it('links first, prev and next pages, keeping filters', () => {
    expect(numberedPageLinks('/sessions?active=true&page=1&per_page=10', 10, 1, true)).toBe(
      '</sessions?active=true&per_page=10&page=0>; rel="first",' +
        '</sessions?active=true&per_page=10&page=0>; rel="prev",' +
        '</sessions?active=true&per_page=10&page=2>; rel="next"',
    );
    expect(numberedPageLinks('/sessions?page=0', 10, 0, false)).toBe(
      '</sessions?per_page=10&page=0>; rel="first"',
    );
  });
});
