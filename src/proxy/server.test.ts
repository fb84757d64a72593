import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import { createOutboundHttp } from '../kernel/http-client.js';
import { silentLogger } from '../kernel/logger.js';
import { createAccessControl } from './access.js';
import { buildApiApp } from './server.js';

const RULE = {
  id: 'any',
  match: { url: 'http://app.test/<.*>', methods: ['GET'] },
  authenticators: [{ handler: 'anonymous' }],
  authorizer: { handler: 'allow' },
  mutators: [{ handler: 'noop' }],
};

async function apiApp(rules: unknown[]) {
  const doc = {
    access_rules: { repositories: [`inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`] },
    authenticators: { anonymous: { enabled: true } },
    authorizers: { allow: { enabled: true } },
    mutators: { noop: { enabled: true } },
  } as KratosConfigDocument;
  const logger = silentLogger();
  const access = await createAccessControl(doc, {
    http: createOutboundHttp({ disallowPrivateIpRanges: false }),
    logger,
    cwd: process.cwd(),
  });
  return buildApiApp({ access, logger });
}

describe('the API listener health', () => {
  it('is ready once it has rules, and not before, as Oathkeeper (rules_loaded)', async () => {
    const empty = await apiApp([]);
    const notReady = await empty.inject({ url: '/health/ready' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ errors: { rules_loaded: 'No rules found.' } });
    expect((await empty.inject({ url: '/health/alive' })).statusCode).toBe(200);
    await empty.close();

    const loaded = await apiApp([RULE]);
    const ready = await loaded.inject({ url: '/health/ready' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ok' }]);
    await loaded.close();
  });
});
