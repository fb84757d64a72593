import { describe, expect, it } from 'vitest';
import { type PipelineRequest, requestCookies, requestHasCookie } from './session.js';

function request(cookie: string | string[] | undefined): PipelineRequest {
  return { method: 'GET', url: new URL('https://a.example/'), headers: { cookie }, captureGroups: [] };
}

describe('requestHasCookie', () => {
  const headers: Array<string | string[] | undefined> = [
    undefined,
    '',
    ';',
    'a=1',
    ' a = 1 ; b=2',
    '=1; b',
    ' =1',
    'noequals',
    'x=; y=2',
    ['a=1', 'ory_kratos_session=abc'],
    ['', 'b=2'],
    'ory_kratos_session=abc; csrf_token_1=x',
  ];
  const wanted: Array<[string, (name: string) => boolean]> = [
    ['any', () => true],
    ['only b', (name) => name === 'b'],
    ['only ory_kratos_session', (name) => name === 'ory_kratos_session'],
    ['none', () => false],
  ];

  it.each(wanted)('answers as requestCookies does (%s)', (_label, accepts) => {
    for (const cookie of headers) {
      const names = [...requestCookies(request(cookie)).keys()];
      expect(requestHasCookie(request(cookie), accepts), JSON.stringify(cookie)).toBe(names.some(accepts));
    }
  });
});
