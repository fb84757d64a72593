import { describe, expect, it } from 'vitest';
import {
  keysetPageLinks,
  migrationPaginationLinks,
  offsetPageToken,
  pagePaginationLinks,
} from './page-links.js';

const NIL = '00000000-0000-0000-0000-000000000000';

describe('keysetPageLinks', () => {
  it("keeps every filter, replaces only the pagination parameters, and starts `first` at Kratos's nil UUID", () => {
    const links = keysetPageLinks(
      '/admin/identities?ids=a&ids=b&page_size=5&page_token=old&page=3',
      2,
      'tok',
    );
    expect(links).toBe(
      `</admin/identities?ids=a&ids=b&page_size=2&page_token=${NIL}>; rel="first",` +
        '</admin/identities?ids=a&ids=b&page_size=2&page_token=tok>; rel="next"',
    );
  });

  it('has no next link on the last page, works without a query, and takes the list’s own first token', () => {
    expect(keysetPageLinks('/admin/sessions', 250, undefined, 'start')).toBe(
      '</admin/sessions?page_size=250&page_token=start>; rel="first"',
    );
  });

  it('encodes what it sets', () => {
    expect(keysetPageLinks('/x?q=a%26b', 1, 'a+b/c=')).toContain(
      'q=a%26b&page_size=1&page_token=a%2Bb%2Fc%3D',
    );
  });
});

describe('migrationPaginationLinks (ory/x migrationpagination.PaginationHeader)', () => {
  const token = (offset: number) => offsetPageToken(offset);
  const at = (page: number, size: number, rel: string, path = '/sessions', before = '') =>
    `<${path}?${before}page=${page}&page_size=${size}&page_token=${token(page * size)}&per_page=${size}>; rel="${rel}"`;

  it('writes the offset token ory/x tokenpagination.Encode writes', () => {
    // base64url of {"offset":"250","v":2}, unpadded.
    expect(offsetPageToken(250)).toBe('eyJvZmZzZXQiOiIyNTAiLCJ2IjoyfQ');
  });

  it('links first, next, prev and last in the middle, in both styles, keys sorted as Go encodes them', () => {
    expect(migrationPaginationLinks('/sessions?per_page=50&page=3', 300, 3, 50)).toBe(
      [at(0, 50, 'first'), at(4, 50, 'next'), at(2, 50, 'prev'), at(5, 50, 'last')].join(','),
    );
  });

  it('has only next and last on the first page, first and prev from the last page on', () => {
    expect(migrationPaginationLinks('/sessions', 120, 0, 50)).toBe(
      [at(1, 50, 'next'), at(2, 50, 'last')].join(','),
    );
    expect(migrationPaginationLinks('/sessions', 120, 2, 50)).toBe(
      [at(0, 50, 'first'), at(1, 50, 'prev')].join(','),
    );
  });

  it('has only first, sized to the total, when everything fits on one page', () => {
    expect(migrationPaginationLinks('/sessions', 5, 0, 50)).toBe(at(0, 5, 'first'));
  });

  it('keeps the filters, sorted among the paging parameters', () => {
    expect(migrationPaginationLinks('/admin/identities/x/sessions?active=true&page_size=1', 3, 1, 1)).toBe(
      [
        at(0, 1, 'first', '/admin/identities/x/sessions', 'active=true&'),
        at(2, 1, 'next', '/admin/identities/x/sessions', 'active=true&'),
        at(0, 1, 'prev', '/admin/identities/x/sessions', 'active=true&'),
        at(2, 1, 'last', '/admin/identities/x/sessions', 'active=true&'),
      ].join(','),
    );
  });

  it('with nothing at all, links first, next and prev (to the page before 0)', () => {
    expect(migrationPaginationLinks('/sessions', 0, 0, 250)).toBe(
      [
        at(0, 250, 'first'),
        at(1, 250, 'next'),
        `</sessions?page=-1&page_size=250&page_token=${token(-250)}&per_page=250>; rel="prev"`,
      ].join(','),
    );
  });
});

describe('pagePaginationLinks (ory/x pagepagination.PaginationHeader)', () => {
  it('keeps its quirks', () => {
    expect(pagePaginationLinks('/admin/identities?page=1&per_page=2', 6, 1, 2)).toBe(
      '</admin/identities?page=0&per_page=2>; rel="first",' +
        '</admin/identities?page=2&per_page=2>; rel="next",' +
        '</admin/identities?page=0&per_page=2>; rel="prev",' +
        '</admin/identities?page=2&per_page=2>; rel="last"',
    );
    expect(pagePaginationLinks('/admin/identities', 3, 0, 5)).toBe(
      '</admin/identities?page=0&per_page=3>; rel="first"',
    );
  });
});
