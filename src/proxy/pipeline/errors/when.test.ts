import { describe, expect, it } from 'vitest';
import { type PipelineError, pipelineError } from '../errors.js';
import type { PipelineRequest } from '../session.js';
import {
  matchesAcceptMIME,
  matchesWhen,
  parseAcceptList,
  requestContentTypes,
  type WhenClause,
  WhenConditionError,
} from './when.js';

// The cases of Oathkeeper's pipeline/errors/when_test.go, rewritten for Portcullis.

const CHROME =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.9';
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

interface RequestSetup {
  headers?: Record<string, string>;
  /** Go's httptest.NewRequest uses 192.0.2.1 when a case does not set one. */
  remoteAddress?: string;
}

function request(setup: RequestSetup = {}): PipelineRequest {
  return {
    method: 'GET',
    url: new URL('http://example.com/test'),
    headers: setup.headers ?? {},
    captureGroups: [],
    remoteAddress: setup.remoteAddress ?? '192.0.2.1',
  };
}

const jsonAccept = { accept: 'application/json' };
const mixedAccept = { accept: 'application/json,text/html' };
const jsonContentType = { 'content-type': 'application/json' };
const forwarded = (...ips: string[]) => ({ 'x-forwarded-for': ips.join(', ') });

const notFound = pipelineError('not_found');
const when404 = (request?: WhenClause['request']): WhenClause =>
  request === undefined ? { error: ['not_found'] } : { error: ['not_found'], request };
const lan = { remote_ip: { match: ['192.168.1.0/24'] } };
const lanOrForwarded = { remote_ip: { match: ['192.168.1.0/24'], respect_forwarded_for_header: true } };

describe('matchesAcceptMIME (TestMatchesMIME)', () => {
  it.each([
    ['application/json', ['application/xml'], false],
    ['application/json', ['application/xml', 'application/json'], true],
    // A wildcard the request sends matches only the same wildcard configured...
    ['application/*', ['application/json'], false],
    ['*/*', ['application/json'], false],
    ['application/*', ['application/*'], true],
    ['*/*', ['*/*'], true],
    // ...and q values play no part.
    [
      'text/html;q=0.9, application/xml;q=0.8, application/json;q=0.7',
      ['application/xml', 'application/json'],
      true,
    ],
    ['application/xml', ['application/xml', 'application/json'], true],
    // A configured wildcard covers the request's type.
    ['application/json', ['application/*'], true],
    ['application/json', ['*/*'], true],
  ])('%s against %j is %s', (accept, configured, expected) => {
    expect(matchesAcceptMIME(accept, configured)).toBe(expected);
  });

  it('strips Content-Type parameters before matching, as clearMIMEParams', () => {
    const contentTypes = requestContentTypes(
      request({ headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );
    expect(contentTypes).toBe('application/json');
    expect(matchesAcceptMIME(contentTypes, ['application/xml', 'application/json'])).toBe(true);
    expect(matchesAcceptMIME(contentTypes, ['application/json'])).toBe(true);
    expect(matchesAcceptMIME(contentTypes, ['application/*'])).toBe(true);
    expect(matchesAcceptMIME(contentTypes, ['*/*'])).toBe(true);
  });
});

interface WhenCase {
  name: string;
  when?: WhenClause[];
  setup?: RequestSetup;
  error?: PipelineError;
  expected: boolean;
}

const cases: WhenCase[] = [
  { name: 'no conditions', error: pipelineError('internal_server_error'), expected: true },
  { name: 'another error', when: [{ error: ['forbidden'] }], expected: false },
  { name: 'one of the errors', when: [{ error: ['forbidden', 'not_found'] }], expected: true },
  {
    name: 'a later clause',
    when: [{ error: ['forbidden'] }, { error: ['forbidden', 'not_found'] }],
    expected: true,
  },
  { name: 'an empty request condition', when: [when404({})], expected: true },
  {
    name: 'content type required, none sent',
    when: [when404({ header: { content_type: ['application/json'] } })],
    expected: false,
  },
  {
    name: 'accept required, none sent',
    when: [when404({ header: { accept: ['application/json'] } })],
    expected: false,
  },
  { name: 'remote IP outside the range', when: [when404(lan)], expected: false },
  {
    name: 'accept matches only in a clause for another error',
    setup: { headers: jsonAccept },
    when: [
      when404({ header: { accept: ['application/xml'] } }),
      { error: ['unauthorized'], request: { header: { accept: ['application/json'] } } },
    ],
    expected: false,
  },
  {
    name: 'accept matches in the second clause',
    setup: { headers: jsonAccept },
    when: [
      when404({ header: { accept: ['application/xml'] } }),
      when404({ header: { accept: ['application/json'] } }),
    ],
    expected: true,
  },
  {
    name: 'accept matches but content type does not',
    setup: { headers: { ...jsonAccept, ...jsonContentType } },
    when: [
      when404({ header: { accept: ['application/xml'] } }),
      when404({ header: { accept: ['application/json'], content_type: ['application/xml'] } }),
    ],
    expected: false,
  },
  {
    name: 'accept and content type both match',
    setup: { headers: { ...jsonAccept, ...jsonContentType } },
    when: [
      when404({ header: { content_type: ['application/xml'] } }),
      when404({ header: { accept: ['application/json'], content_type: ['application/json'] } }),
    ],
    expected: true,
  },
  {
    name: 'neither content type nor default remote IP',
    setup: { headers: { ...jsonAccept, ...jsonContentType } },
    when: [when404({ header: { content_type: ['application/xml'] } }), when404(lan)],
    expected: false,
  },
  {
    name: 'remote IP inside the range',
    setup: { headers: { ...jsonAccept, ...jsonContentType }, remoteAddress: '192.168.1.1' },
    when: [when404({ header: { content_type: ['application/xml'] } }), when404(lan)],
    expected: true,
  },
  {
    name: 'loopback outside the range',
    setup: { headers: { ...jsonAccept, ...jsonContentType }, remoteAddress: '127.0.0.1' },
    when: [when404(lan)],
    expected: false,
  },
  {
    name: 'X-Forwarded-For ignored by default (one entry)',
    setup: {
      headers: { ...jsonAccept, ...jsonContentType, ...forwarded('127.0.0.2') },
      remoteAddress: '127.0.0.1',
    },
    when: [when404(lan)],
    expected: false,
  },
  {
    name: 'X-Forwarded-For ignored by default (two entries)',
    setup: {
      headers: { ...jsonAccept, ...jsonContentType, ...forwarded('127.0.0.2', '127.0.0.3') },
      remoteAddress: '127.0.0.1',
    },
    when: [when404(lan)],
    expected: false,
  },
  {
    name: 'X-Forwarded-For ignored by default, even with a matching entry',
    setup: {
      headers: { ...jsonAccept, ...jsonContentType, ...forwarded('127.0.0.2', '127.0.0.3', '192.168.1.2') },
      remoteAddress: '127.0.0.1',
    },
    when: [when404(lan)],
    expected: false,
  },
  {
    name: 'X-Forwarded-For respected when asked',
    setup: {
      headers: { ...jsonAccept, ...jsonContentType, ...forwarded('127.0.0.2', '127.0.0.3', '192.168.1.2') },
      remoteAddress: '127.0.0.1',
    },
    when: [when404(lanOrForwarded)],
    expected: true,
  },
  {
    name: 'remote IP, content type and one of two accepts',
    setup: {
      headers: { ...mixedAccept, ...jsonContentType, ...forwarded('127.0.0.2', '127.0.0.3', '192.168.1.2') },
      remoteAddress: '127.0.0.1',
    },
    when: [
      when404({
        ...lanOrForwarded,
        header: { content_type: ['application/json'], accept: ['application/xml', 'application/json'] },
      }),
    ],
    expected: true,
  },
  {
    name: 'a configured content type wildcard',
    setup: { headers: { ...mixedAccept, ...jsonContentType } },
    when: [when404({ header: { content_type: ['application/*'], accept: ['text/html'] } })],
    expected: true,
  },
  {
    name: 'a configured accept wildcard',
    setup: { headers: { ...mixedAccept, ...jsonContentType } },
    when: [when404({ header: { content_type: ['application/json'], accept: ['text/*'] } })],
    expected: true,
  },
  {
    name: 'Chrome is not a JSON client',
    setup: { headers: { accept: CHROME } },
    when: [when404({ header: { accept: ['application/json'] } })],
    expected: false,
  },
  {
    name: 'Firefox is not a JSON client',
    setup: { headers: { accept: FIREFOX } },
    when: [when404({ header: { accept: ['application/json'] } })],
    expected: false,
  },
];

describe('matchesWhen (TestMatchesWhen)', () => {
  it.each(cases)('$name', ({ when, setup, error, expected }) => {
    expect(matchesWhen(when, request(setup), error ?? notFound)).toBe(expected);
  });
});

describe('matchesWhen beyond when_test.go', () => {
  const accept = (value: string) => request({ headers: { accept: value } });
  const html: WhenClause[] = [{ request: { header: { accept: ['text/html'] } } }];
  const unauthorized = pipelineError('unauthorized');

  it('lets browsers match an HTML condition', () => {
    expect(matchesWhen(html, accept(CHROME), unauthorized)).toBe(true);
    expect(matchesWhen(html, accept(FIREFOX), unauthorized)).toBe(true);
  });

  it('does not let curl’s */* match an HTML condition', () => {
    expect(matchesWhen(html, accept('*/*'), unauthorized)).toBe(false);
  });

  it('counts a missing Accept or Content-Type as application/octet-stream', () => {
    const octet = (key: 'accept' | 'content_type'): WhenClause[] => [
      { request: { header: { [key]: ['application/octet-stream'] } } },
    ];
    expect(matchesWhen(octet('accept'), request(), unauthorized)).toBe(true);
    expect(matchesWhen(octet('content_type'), request(), unauthorized)).toBe(true);
    expect(matchesWhen([{ request: { header: { accept: ['*/*'] } } }], request(), unauthorized)).toBe(true);
  });

  it('ignores q, even q=0', () => {
    expect(matchesWhen(html, accept('text/html;q=0'), unauthorized)).toBe(true);
  });

  it('compares media types case-sensitively in Accept, lower-cased in Content-Type', () => {
    expect(matchesWhen(html, accept('Text/HTML'), unauthorized)).toBe(false);
    const form: WhenClause[] = [{ request: { header: { content_type: ['multipart/form-data'] } } }];
    const upper = request({ headers: { 'content-type': 'Multipart/Form-Data; boundary=x' } });
    expect(matchesWhen(form, upper, unauthorized)).toBe(true);
  });

  it('ignores `cidr`, as Oathkeeper decodes it into nothing', () => {
    const cidr: WhenClause[] = [{ request: { cidr: ['10.0.0.0/8'] } }];
    expect(matchesWhen(cidr, request({ remoteAddress: '127.0.0.1' }), unauthorized)).toBe(true);
  });

  it('counts an IPv4-mapped client address as IPv4', () => {
    const mapped = request({ remoteAddress: '::ffff:192.168.1.7' });
    expect(matchesWhen([{ request: lan }], mapped, unauthorized)).toBe(true);
  });

  it('throws WhenConditionError for a Content-Type Go refuses or a bad CIDR', () => {
    const json: WhenClause[] = [{ request: { header: { content_type: ['application/json'] } } }];
    for (const bad of [
      'application/json/x',
      'application/json; charset',
      ';charset=utf-8',
      'a/b,',
      'a/b; x=1; x=2',
    ]) {
      const withType = request({ headers: { 'content-type': bad } });
      expect(() => matchesWhen(json, withType, unauthorized), bad).toThrow(WhenConditionError);
    }
    const badCidr: WhenClause[] = [{ request: { remote_ip: { match: ['10.0.0.0'] } } }];
    expect(() => matchesWhen(badCidr, request(), unauthorized)).toThrow('invalid CIDR address: 10.0.0.0');
  });

  it('accepts the Content-Types Go accepts', () => {
    const any: WhenClause[] = [{ request: { header: { content_type: ['*/*'] } } }];
    for (const good of [
      'text',
      'application/json;',
      'text/plain; charset="utf-8"',
      'a/b; x=1; x=1',
      'a/b; x="1"; x=1',
    ]) {
      expect(matchesWhen(any, request({ headers: { 'content-type': good } }), unauthorized), good).toBe(true);
    }
  });

  it('evaluates a failing condition only when its clause is reached', () => {
    const clauses: WhenClause[] = [
      { error: ['unauthorized'] },
      { request: { remote_ip: { match: ['not-a-cidr'] } } },
    ];
    expect(matchesWhen(clauses, request(), unauthorized)).toBe(true);
  });
});

describe('parseAcceptList (gddo header.ParseAccept)', () => {
  it('stops at the first parameter other than q', () => {
    expect(parseAcceptList(CHROME)).toEqual([
      'text/html',
      'application/xhtml+xml',
      'application/xml',
      'image/webp',
      'image/apng',
      '*/*',
    ]);
    expect(parseAcceptList('text/html;level=1, application/json')).toEqual([]);
  });

  it('stops at an unreadable q', () => {
    expect(parseAcceptList('application/json;q=x, text/html')).toEqual([]);
    expect(parseAcceptList('application/json;q=0.5, text/html')).toEqual(['application/json', 'text/html']);
  });
});
