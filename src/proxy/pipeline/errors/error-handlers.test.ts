import { describe, expect, it } from 'vitest';
import { unauthorized } from '../errors.js';
import type { PipelineDeps } from '../handler.js';
import type { PipelineRequest } from '../session.js';
import { redirectErrorHandler } from './errors-redirect.js';
import { wwwAuthenticateErrorHandler } from './errors-www-authenticate.js';

const deps = {} as PipelineDeps;

function request(method: string, url: string, publicUrl?: string): PipelineRequest {
  return {
    method,
    url: new URL(url),
    headers: {},
    captureGroups: [],
    ...(publicUrl !== undefined ? { publicUrl: new URL(publicUrl) } : {}),
  };
}

function redirect(raw: Record<string, unknown>, req: PipelineRequest) {
  const prepared = redirectErrorHandler.prepare(raw, deps);
  if (!prepared.ok) throw new Error(prepared.message);
  return redirectErrorHandler.handle(req, unauthorized(), prepared.config, undefined);
}

describe('redirect error handler (Go’s http.Redirect)', () => {
  const to = { to: 'http://login.test/login?a=1&b=<x>', return_to_query_param: 'return_to' };

  it('answers a GET with text/html and the short HTML body', () => {
    const answer = redirect(to, request('GET', 'http://app.test/p?q=1'));
    expect(answer.status).toBe(302);
    const location = 'http://login.test/login?a=1&b=%3Cx%3E&return_to=http%3A%2F%2Fapp.test%2Fp%3Fq%3D1';
    expect(answer.headers).toEqual({ location, 'content-type': 'text/html; charset=utf-8' });
    expect(answer.body).toBe(`<a href="${location.replaceAll('&', '&amp;')}">Found</a>.\n\n`);
  });

  it('says Moved Permanently for 301, and escapes as Go’s htmlEscape', () => {
    const answer = redirect(
      { to: `http://login.test/it's"here"`, code: 301 },
      request('GET', 'http://a.test/'),
    );
    expect(answer.status).toBe(301);
    expect(answer.body).toBe(`<a href="http://login.test/it&#39;s&#34;here&#34;">Moved Permanently</a>.\n\n`);
  });

  it('answers a HEAD with text/html and no body, other methods with neither', () => {
    const head = redirect(to, request('HEAD', 'http://app.test/'));
    expect(head.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(head.body).toBe('');
    const post = redirect(to, request('POST', 'http://app.test/'));
    expect(post.headers['content-type']).toBeUndefined();
    expect(post.body).toBe('');
  });

  it('builds return_to from the public URL when the listener gives one (trusted X-Forwarded-Host)', () => {
    const answer = redirect(
      to,
      request('GET', 'http://proxy.internal:4455/p?a=1', 'http://public.example/p?a=1'),
    );
    expect(new URL(answer.headers.location as string).searchParams.get('return_to')).toBe(
      'http://public.example/p?a=1',
    );
    const own = redirect(to, request('GET', 'http://proxy.internal:4455/p?a=1'));
    expect(new URL(own.headers.location as string).searchParams.get('return_to')).toBe(
      'http://proxy.internal:4455/p?a=1',
    );
  });
});

describe('www_authenticate error handler (Go’s http.Error)', () => {
  it('sets X-Content-Type-Options: nosniff next to the plain-text body', () => {
    const prepared = wwwAuthenticateErrorHandler.prepare({}, deps);
    if (!prepared.ok) throw new Error(prepared.message);
    const answer = wwwAuthenticateErrorHandler.handle(
      request('GET', 'http://a.test/'),
      unauthorized(),
      prepared.config,
      undefined,
    );
    expect(answer).toEqual({
      status: 401,
      headers: {
        'www-authenticate': 'Basic realm=Please authenticate.',
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
      },
      body: 'Unauthorized\n',
    });
  });
});
