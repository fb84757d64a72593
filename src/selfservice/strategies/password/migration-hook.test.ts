import { describe, expect, it } from 'vitest';
import { useWebHookClient } from '../../../../test/support/web-hook-client.js';
import { createPasswordMigrationHook } from './migration-hook.js';

const MATCH = { status: 200, body: { status: 'password_match' } };
/** The template context; these hooks have no body template, so it is never asked for. */
const NO_CONTEXT = () => {
  throw new Error('asked for the template context without a template');
};

describe('the password migration hook, called as Kratos calls it (its web hook client)', () => {
  const client = useWebHookClient();

  const hookAt = (path: string, config: Record<string, unknown> = {}) => {
    const hook = createPasswordMigrationHook(
      { enabled: true, config: { url: `${client.receiver.url}${path}`, ...config } },
      client.deps,
    );
    if (hook === undefined) throw new Error('the hook is enabled');
    return hook;
  };

  it('tries again after a 5xx, with the same trigger id and a new request id', async () => {
    client.receiver.script('/flaky', [{ status: 503, body: {} }, MATCH]);
    expect(await hookAt('/flaky').check('legacy@example.test', 'old password', NO_CONTEXT)).toEqual({
      kind: 'match',
    });
    const [first, second] = client.receiver.to('/flaky');
    expect(JSON.parse(second?.body ?? '{}')).toEqual({
      identifier: 'legacy@example.test',
      password: 'old password',
    });
    expect(first?.headers['ory-webhook-trigger-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers['ory-webhook-trigger-id']).toBe(first?.headers['ory-webhook-trigger-id']);
    expect(second?.headers['ory-webhook-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.headers['ory-webhook-request-id']).not.toBe(first?.headers['ory-webhook-request-id']);
  });

  it('gives up after three attempts that all fail: the password cannot be checked', async () => {
    client.receiver.script('/down', [{ status: 500, body: {} }]);
    expect(await hookAt('/down').check('legacy@example.test', 'old password', NO_CONTEXT)).toMatchObject({
      kind: 'failed',
      error: { code: 502, message: 'calling the password migration hook failed' },
    });
    expect(client.receiver.to('/down')).toHaveLength(3);
  });

  it('follows a 307 to where the old system moved, body and all', async () => {
    client.receiver.script('/old', [{ status: 307, headers: { location: '/new' } }]);
    client.receiver.script('/new', [MATCH]);
    expect(await hookAt('/old').check('legacy@example.test', 'old password', NO_CONTEXT)).toEqual({
      kind: 'match',
    });
    expect(JSON.parse(client.receiver.to('/new')[0]?.body ?? '{}')).toMatchObject({
      password: 'old password',
    });
  });

  it('takes a 200 that does not say "password_match" for a wrong password, as Kratos', async () => {
    client.receiver.script('/unsure', [{ status: 200, body: { status: 'maybe' } }]);
    expect(await hookAt('/unsure').check('legacy@example.test', 'guess', NO_CONTEXT)).toEqual({
      kind: 'mismatch',
    });
    client.receiver.script('/forbidden', [{ status: 403, body: {} }]);
    expect(await hookAt('/forbidden').check('legacy@example.test', 'guess', NO_CONTEXT)).toEqual({
      kind: 'mismatch',
    });
  });

  it('sends no event headers with emit_analytics_event: false', async () => {
    client.receiver.script('/quiet', [MATCH]);
    await hookAt('/quiet', { emit_analytics_event: false }).check(
      'legacy@example.test',
      'old password',
      NO_CONTEXT,
    );
    const [call] = client.receiver.to('/quiet');
    expect(call?.headers['ory-webhook-trigger-id']).toBeUndefined();
    expect(call?.headers['ory-webhook-request-id']).toBeUndefined();
  });
});
