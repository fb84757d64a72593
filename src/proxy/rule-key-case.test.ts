import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { call, startDecisionApi } from './testing/decision-api.js';

/**
 * A rule file written with other spellings of the keys works as it does in Oathkeeper, whose
 * encoding/json matches keys to fields without regard to case; handler configs keep their
 * case-sensitive schemas. Through the API of a real access proxy.
 */

let proxy: Awaited<ReturnType<typeof startDecisionApi>>;

const RULES = [
  {
    ID: 'pascal',
    MATCH: { URL: 'http://app.test/pascal', Methods: ['GET'] },
    Authenticators: [{ Handler: 'anonymous', Config: { subject: 'visitor' } }],
    Authorizer: { Handler: 'allow' },
    Mutators: [{ Handler: 'header', Config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
  },
  {
    id: 'config-case',
    match: { url: 'http://app.test/config-case', methods: ['GET'] },
    authenticators: [{ handler: 'anonymous', config: { Subject: 'visitor' } }],
    authorizer: { handler: 'allow' },
    mutators: [{ handler: 'noop' }],
  },
];

beforeAll(async () => {
  const document = {
    serve: {},
    access_rules: { repositories: [`inline://${Buffer.from(JSON.stringify(RULES)).toString('base64')}`] },
    authenticators: { anonymous: { enabled: true } },
    authorizers: { allow: { enabled: true } },
    mutators: { header: { enabled: true, config: { headers: {} } }, noop: { enabled: true } },
  } as unknown as KratosConfigDocument;
  proxy = await startDecisionApi(document);
});

afterAll(async () => {
  await proxy?.close();
});

describe('rule keys in any case', () => {
  it('runs a rule written in PascalCase and lists it with Oathkeeper keys', async () => {
    const res = await call(proxy.apiUrl, 'GET', '/decisions/pascal', { host: 'app.test' });
    expect(res.status).toBe(200);
    expect(res.headers['x-user']).toBe('visitor');
    const listed = await call(proxy.apiUrl, 'GET', '/rules/pascal');
    expect(JSON.parse(listed.body)).toMatchObject({
      id: 'pascal',
      match: { url: 'http://app.test/pascal', methods: ['GET'] },
      authenticators: [{ handler: 'anonymous', config: { subject: 'visitor' } }],
      authorizer: { handler: 'allow' },
    });
  });

  it('refuses a handler config key in another case, as the handler schema does: the rule fails closed', async () => {
    const res = await call(proxy.apiUrl, 'GET', '/decisions/config-case', { host: 'app.test' });
    expect(res.status).toBe(500);
  });
});
