import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli, startCli, waitFor } from './support/cli.js';
import { type HttpReceiver, startHttpReceiver } from './support/http-receiver.js';
import { freePort } from './support/ports.js';
import { EXAM_SCHEMA_URL } from './support/server.js';

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  await closed;
}

const PASSWORD = 'correct horse battery staple';

/**
 * One config file, two deployments of the built CLI: an identity deployment
 * (`--roles public,admin`) and an access-proxy fleet (`PORTCULLIS_ROLES=proxy,api`) that checks
 * sessions at the identity deployment's whoami over HTTP.
 */
describe('serve --roles: an identity process and a proxy-only process', () => {
  let dir: string;
  let upstream: HttpReceiver;
  let identity: (ChildProcess & { output(): string }) | undefined;
  let proxyOnly: (ChildProcess & { output(): string }) | undefined;
  const ports = { public: 0, admin: 0, proxy: 0, api: 0, proxyOwnPublic: 0, proxyOwnAdmin: 0 };
  const url = (port: number) => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'portcullis-roles-'));
    upstream = await startHttpReceiver();
    const rules = [
      {
        id: 'app',
        upstream: { url: upstream.url },
        match: { url: `http://app.test:${ports.proxy}/<.*>`, methods: ['GET'] },
        authenticators: [{ handler: 'bearer_token' }],
        authorizer: { handler: 'allow' },
        mutators: [
          {
            handler: 'header',
            config: { headers: { 'X-User-Email': '{{ print .Extra.identity.traits.email }}' } },
          },
        ],
        errors: [{ handler: 'json' }],
      },
    ];
    const file = join(dir, 'config.yml');
    await writeFile(
      file,
      stringify({
        // A file both processes are given; only the identity process opens it.
        dsn: `sqlite://${join(dir, 'db.sqlite')}`,
        serve: {
          public: { host: '127.0.0.1', port: ports.public, base_url: `${url(ports.public)}/` },
          admin: { host: '127.0.0.1', port: ports.admin },
          proxy: { host: '127.0.0.1', port: ports.proxy },
          api: { host: '127.0.0.1', port: ports.api },
        },
        identity: { default_schema_id: 'exam', schemas: [{ id: 'exam', url: EXAM_SCHEMA_URL }] },
        selfservice: {
          default_browser_return_url: `${url(ports.public)}/`,
          methods: { password: { config: { haveibeenpwned_enabled: false } } },
          flows: { registration: { after: { password: { hooks: [{ hook: 'session' }] } } } },
        },
        secrets: { default: ['a-test-secret-that-is-long-enough'] },
        hashers: { algorithm: 'argon2', argon2: { memory: '1MB', iterations: 1, parallelism: 1 } },
        log: { level: 'info' },
        access_rules: { repositories: [`inline://${Buffer.from(JSON.stringify(rules)).toString('base64')}`] },
        authenticators: {
          bearer_token: {
            enabled: true,
            config: {
              check_session_url: `${url(ports.public)}/sessions/whoami`,
              preserve_path: true,
              subject_from: 'identity.id',
              extra_from: '@this',
            },
          },
        },
        authorizers: { allow: { enabled: true } },
        mutators: { header: { enabled: true, config: { headers: {} } } },
        errors: { fallback: ['json'], handlers: { json: { enabled: true, config: {} } } },
      }),
    );
    const migrated = await runCli(['migrate', 'sql', '-c', file, '--yes'], { cwd: dir });
    expect(migrated.code, migrated.stderr).toBe(0);
    identity = startCli(['serve', '-c', file, '--roles', 'public,admin'], { cwd: dir });
    proxyOnly = startCli(['serve', '-c', file], {
      cwd: dir,
      env: {
        PORTCULLIS_ROLES: 'proxy,api',
        // Were the proxy process to open public/admin listeners, it would open them here.
        SERVE_PUBLIC_PORT: String(ports.proxyOwnPublic),
        SERVE_ADMIN_PORT: String(ports.proxyOwnAdmin),
      },
    });
    const healthy = async (base: string) =>
      waitFor(async () => ((await fetch(`${base}/health/alive`)).status === 200 ? true : undefined)).catch(
        () => {
          throw new Error(`not up: ${base}\n${identity?.output()}\n${proxyOnly?.output()}`);
        },
      );
    await Promise.all([healthy(url(ports.public)), healthy(url(ports.api))]);
  });
  afterAll(async () => {
    await Promise.all([stop(identity), stop(proxyOnly)]);
    await upstream?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('opens only the listeners of its roles', async () => {
    expect(await listening(ports.admin)).toBe(true);
    // The identity process leaves the proxy roles the config enables to the other process...
    expect(proxyOnly?.exitCode).toBeNull();
    expect(await listening(ports.proxy)).toBe(true);
    // ...which opens no public or admin listener of its own.
    expect(await listening(ports.proxyOwnPublic)).toBe(false);
    expect(await listening(ports.proxyOwnAdmin)).toBe(false);
    expect(proxyOnly?.output()).toContain('access proxy roles only');
  });

  it('checks sessions at the identity process over HTTP, and sees revocations at once', async () => {
    const flow = (await (await fetch(`${url(ports.public)}/self-service/registration/api`)).json()) as {
      id: string;
    };
    const registered = await fetch(`${url(ports.public)}/self-service/registration?flow=${flow.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        method: 'password',
        password: PASSWORD,
        traits: { email: 'fleet@example.com', fullname: 'Ada', phone_number: 1, user_type: 'student' },
      }),
    });
    expect(registered.status).toBe(200);
    const { session_token: token } = (await registered.json()) as { session_token: string };

    // undici's request, not fetch: fetch never sends the Host the rules match on.
    const proxied = async (base: string, path: string, authorization?: string) => {
      const res = await request(`${base}${path}`, {
        headers: {
          host: `app.test:${ports.proxy}`,
          accept: 'application/json',
          ...(authorization !== undefined ? { authorization } : {}),
        },
      });
      await res.body.dump();
      return res;
    };
    const allowed = await proxied(url(ports.proxy), '/reports', `Bearer ${token}`);
    expect(allowed.statusCode).toBe(200);
    expect(upstream.to('/reports').at(-1)?.headers['x-user-email']).toBe('fleet@example.com');

    const decision = await proxied(url(ports.api), '/decisions/reports', `Bearer ${token}`);
    expect(decision.statusCode).toBe(200);
    expect(decision.headers['x-user-email']).toBe('fleet@example.com');

    expect((await proxied(url(ports.proxy), '/reports')).statusCode).toBe(401);
    expect((await proxied(url(ports.proxy), '/reports', 'Bearer ory_st_not-a-session')).statusCode).toBe(401);

    const logout = await fetch(`${url(ports.public)}/self-service/logout/api`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_token: token }),
    });
    expect(logout.status).toBe(204);
    expect((await proxied(url(ports.proxy), '/reports', `Bearer ${token}`)).statusCode).toBe(401);
  });

  it('documents --roles and PORTCULLIS_ROLES in serve --help, and refuses unknown roles', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.stdout).toContain('--roles <list>');
    expect(help.stdout).toContain('PORTCULLIS_ROLES');
    const bad = await runCli(['serve', '--roles', 'proxy,kratos']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown role "kratos"');
  });
});

/**
 * An access-proxy fleet given Oathkeeper's keys only: `--roles proxy,api` starts from it, while
 * every command that runs the identity side still requires Kratos's keys.
 */
describe('serve --roles proxy,api from an Oathkeeper-only config', () => {
  let dir: string;
  let file: string;
  let upstream: HttpReceiver;
  let proxyOnly: (ChildProcess & { output(): string }) | undefined;
  const ports = { proxy: 0, api: 0 };

  beforeAll(async () => {
    ports.proxy = await freePort();
    ports.api = await freePort();
    dir = await mkdtemp(join(tmpdir(), 'portcullis-oathkeeper-only-'));
    upstream = await startHttpReceiver();
    const rules = [
      {
        id: 'open',
        upstream: { url: upstream.url },
        match: { url: `http://app.test:${ports.proxy}/<.*>`, methods: ['GET'] },
        authenticators: [{ handler: 'anonymous' }],
        authorizer: { handler: 'allow' },
        mutators: [{ handler: 'header', config: { headers: { 'X-User': '{{ print .Subject }}' } } }],
      },
    ];
    await writeFile(join(dir, 'rules.json'), JSON.stringify(rules));
    file = join(dir, 'oathkeeper.yml');
    await writeFile(
      file,
      stringify({
        serve: {
          proxy: { host: '127.0.0.1', port: ports.proxy },
          api: { host: '127.0.0.1', port: ports.api },
        },
        access_rules: { repositories: ['file://rules.json'] },
        authenticators: { anonymous: { enabled: true, config: { subject: 'guest' } } },
        authorizers: { allow: { enabled: true } },
        mutators: { header: { enabled: true, config: { headers: {} } } },
        errors: { fallback: ['json'] },
      }),
    );
    proxyOnly = startCli(['serve', '-c', file, '--roles', 'proxy,api'], { cwd: dir });
    await waitFor(async () =>
      (await fetch(`http://127.0.0.1:${ports.api}/health/alive`)).status === 200 ? true : undefined,
    ).catch(() => {
      throw new Error(`proxy-only process not up:\n${proxyOnly?.output()}`);
    });
  });
  afterAll(async () => {
    await stop(proxyOnly);
    await upstream?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('starts and proxies', async () => {
    const res = await request(`http://127.0.0.1:${ports.proxy}/page`, {
      headers: { host: `app.test:${ports.proxy}` },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(upstream.to('/page').at(-1)?.headers['x-user']).toBe('guest');
    expect(proxyOnly?.output()).toContain('access proxy roles only');
  });

  it('serve without --roles, or with an identity role, refuses the file naming the missing keys', async () => {
    for (const args of [[], ['--roles', 'proxy,public']]) {
      const refused = await runCli(['serve', '-c', file, ...args], { cwd: dir });
      expect(refused.code).toBe(1);
      for (const key of ['dsn: is required', 'identity: is required', 'selfservice: is required'])
        expect(refused.stderr).toContain(key);
    }
  });

  it('the other commands still require the Kratos keys (migrate)', async () => {
    const migrate = await runCli(['migrate', 'sql', '-c', file, '--yes'], { cwd: dir });
    expect(migrate.code).not.toBe(0);
    expect(migrate.stderr).toContain('dsn');
  });
});
