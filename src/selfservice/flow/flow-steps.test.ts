import { describe, expect, it } from 'vitest';
import { carriesCookies } from './flow-steps.js';

describe('carriesCookies (Go r.Cookies() > 0, for native flows)', () => {
  it('counts any part with a valid cookie name, with or without a value', () => {
    for (const header of ['a=1', 'x', ' ; x', 'a=; b', 'ory_kratos_session=abc'])
      expect([header, carriesCookies(header)]).toEqual([header, true]);
  });

  it('counts nothing in an absent, empty or nameless header', () => {
    for (const header of [undefined, '', ';', ' ; ; ', '=1', 'a b=1'])
      expect([header, carriesCookies(header)]).toEqual([header, false]);
  });

  it("ignores Cloudflare's __cf* cookies, as Kratos's EnsureCSRF", () => {
    for (const header of ['__cf_bm=a; __cfruid=b', '__cf_bm=a', '__cfduid', ' __cflb=1 ; ;'])
      expect([header, carriesCookies(header)]).toEqual([header, false]);
    for (const header of ['__cf_bm=a; x=1', 'x=1; __cfruid=b', '__CF_bm=a', '_cf_bm=a', '__c=1'])
      expect([header, carriesCookies(header)]).toEqual([header, true]);
  });
});
