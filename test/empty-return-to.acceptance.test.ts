/**
 * UIs that copy their own query into the init URL send `return_to=` when they have none; as in
 * Kratos, that asks for nothing: the flow carries no return_to.
 */
import { describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { useTestServer } from './support/suite-server.js';

describe.each(testDatabases())(
  'recovery and verification started with an empty return_to ($name)',
  (database) => {
    const t = useTestServer(database, {
      extraConfig: {
        courier: { smtp: { connection_uri: 'smtp://127.0.0.1:9/' } },
        selfservice: {
          default_browser_return_url: 'http://app.example.test/welcome',
          flows: { recovery: { enabled: true, use: 'code' }, verification: { enabled: true, use: 'code' } },
        },
      },
    });

    it.each([
      ['recovery', 'api'],
      ['recovery', 'browser'],
      ['verification', 'api'],
      ['verification', 'browser'],
    ])('leaves return_to off the %s %s flow', async (kind, type) => {
      const response = await fetch(`${t.server.publicUrl}/self-service/${kind}/${type}?return_to=`, {
        headers: { accept: 'application/json' },
      });
      expect(response.status).toBe(200);
      const flow = (await response.json()) as { return_to?: string };
      expect(flow.return_to).toBeUndefined();
    });
  },
);
