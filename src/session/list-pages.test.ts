import { describe, expect, it } from 'vitest';
import { parseSessionPaging } from './list-pages.js';

/** A tokenpagination token: base64url JSON. */
const token = (json: unknown) => Buffer.from(JSON.stringify(json)).toString('base64url');

describe('parseSessionPaging', () => {
  it.each([
    // The offset of the token, in pages of the asked size (gjson's Int(): numbers and numeric strings).
    [
      { page_size: '2', page_token: token({ offset: 4 }) },
      { page: 2, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token({ offset: '4' }) },
      { page: 2, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token({ offset: '+4' }) },
      { page: 2, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token({ offset: 5.9 }) },
      { page: 2, perPage: 2 },
    ],
    // Anything else is the first page, never a 400.
    [
      { page_size: '2', page_token: token({ offset: 'four' }) },
      { page: 0, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token({ offset: -4 }) },
      { page: 0, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token(4) },
      { page: 0, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: token(null) },
      { page: 0, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: 'garbage' },
      { page: 0, perPage: 2 },
    ],
    [
      { page_size: '2', page_token: '' },
      { page: 0, perPage: 2 },
    ],
    // Sizes as Go's ParseInt reads them, held to 1-1000; what it refuses is the default.
    [{ page_size: '+3' }, { page: 0, perPage: 3 }],
    [{ page_size: '9223372036854775807' }, { page: 0, perPage: 1000 }],
    [{ page_size: '9223372036854775808' }, { page: 0, perPage: 250 }],
    [{ page_size: ' 3' }, { page: 0, perPage: 250 }],
    [
      { per_page: '-9223372036854775808', page: '2' },
      { page: 2, perPage: 1 },
    ],
    [
      { per_page: '5', page: '-9223372036854775809' },
      { page: 0, perPage: 5 },
    ],
  ])('%o', (params, expected) => {
    expect(parseSessionPaging(params)).toEqual(expected);
  });
});
