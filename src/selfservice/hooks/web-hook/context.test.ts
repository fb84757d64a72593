import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { canonicalHeaderName, DEFAULT_HEADER_ALLOWLIST, requestFacts } from './context.js';

describe('requestFacts', () => {
  it('keeps only allow-listed headers, in Go http.Header shape, and the cookies by name', () => {
    const request = {
      method: 'POST',
      headers: { 'user-agent': 'ua', cookie: 'a=b', authorization: 'Bearer x', 'x-custom': '1' },
      cookies: { a: 'b' },
    } as unknown as FastifyRequest;
    expect(requestFacts(request, 'https://id.example/self-service/login', DEFAULT_HEADER_ALLOWLIST)).toEqual({
      request_headers: { 'User-Agent': ['ua'] },
      request_method: 'POST',
      request_url: 'https://id.example/self-service/login',
      request_cookies: { a: 'b' },
    });
  });

  it('writes header names as Go does', () => {
    expect(canonicalHeaderName('sec-ch-ua-mobile')).toBe('Sec-Ch-Ua-Mobile');
    expect(canonicalHeaderName('X-FORWARDED-FOR')).toBe('X-Forwarded-For');
  });
});
