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
});
