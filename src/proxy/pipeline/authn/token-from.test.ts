import { describe, expect, it } from 'vitest';
import type { PipelineRequest } from '../session.js';
import { findToken } from './token-from.js';

function request(headers: Record<string, string>, url = 'https://api.example/a?t=q1'): PipelineRequest {
  return { method: 'GET', url: new URL(url), headers, captureGroups: [] };
}

describe('findToken (Oathkeeper token_from)', () => {
  it('takes the Bearer token by default, scheme in any case, nothing for another scheme', () => {
    expect(findToken(request({ authorization: 'Bearer abc.def' }), undefined)).toBe('abc.def');
    expect(findToken(request({ authorization: 'bearer abc' }), undefined)).toBe('abc');
    expect(findToken(request({ authorization: 'Basic dTpw' }), undefined)).toBe('');
    expect(findToken(request({}), undefined)).toBe('');
  });

  it('strips the scheme when token_from names the Authorization header itself, as Oathkeeper', () => {
    const auth = request({ authorization: 'Bearer abc.def.ghi' });
    expect(findToken(auth, { header: 'Authorization' })).toBe('abc.def.ghi');
    expect(findToken(auth, { header: 'authorization' })).toBe('abc.def.ghi');
  });

  it('takes any other header, query parameter or cookie as it is', () => {
    const r = request({ 'x-token': 'Bearer kept', cookie: 'a=1; t=c1' });
    expect(findToken(r, { header: 'X-Token' })).toBe('Bearer kept');
    expect(findToken(r, { query_parameter: 't' })).toBe('q1');
    expect(findToken(r, { cookie: 't' })).toBe('c1');
  });
});
