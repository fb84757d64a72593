/**
 * `feature_flags.password_profile_registration_node_group: password` puts a unified registration
 * form's trait nodes in the `password` group, for UIs written before Kratos moved them to
 * `default` (SelfServiceFlowRegistrationPasswordMethodProfileGroup).
 */
import { Configuration, FrontendApi } from '@ory/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

function startServer(group: 'password' | undefined) {
  return startTestServer({
    dsn: 'memory',
    extraConfig: {
      ...(group === undefined ? {} : { feature_flags: { password_profile_registration_node_group: group } }),
      selfservice: {
        default_browser_return_url: 'http://app.example.test/welcome',
        methods: { password: { enabled: true, config: { haveibeenpwned_enabled: false } } },
        flows: { registration: { style: 'unified' } },
      },
    },
  });
}

async function traitGroups(server: TestServer): Promise<string[]> {
  const frontend = new FrontendApi(new Configuration({ basePath: server.publicUrl }));
  const { data: flow } = await frontend.createNativeRegistrationFlow();
  return flow.ui.nodes
    .filter((n) => ((n.attributes as { name?: string }).name ?? '').startsWith('traits.'))
    .map((n) => n.group);
}

describe('the unified form trait nodes group', () => {
  const servers: TestServer[] = [];
  let flagged: TestServer;
  let plain: TestServer;
  beforeAll(async () => {
    flagged = await startServer('password');
    plain = await startServer(undefined);
    servers.push(flagged, plain);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('is password with the flag, default without', async () => {
    const withFlag = await traitGroups(flagged);
    expect(withFlag.length).toBeGreaterThan(0);
    expect(new Set(withFlag)).toEqual(new Set(['password']));
    expect(new Set(await traitGroups(plain))).toEqual(new Set(['default']));
  });
});
