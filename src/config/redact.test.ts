import { describe, expect, it } from 'vitest';
import { REDACTED, redactConfig, redactUrl } from './redact.js';

describe('redactConfig', () => {
  const document = {
    dsn: 'postgres://kratos:s3cr3t@db:5432/kratos?sslmode=disable&password=alsosecret',
    secrets: { default: ['default-secret-0001'], cookie: ['cookie-secret-0001'], cipher: ['x'.repeat(32)] },
    courier: {
      smtp: {
        connection_uri: 'smtps://mailer:p%40ss@smtp.example.com:465/',
        from_address: 'no-reply@example.com',
      },
      http: {
        request_config: {
          url: 'https://mail.example.com/send',
          auth: { type: 'api_key', config: { name: 'X-Key', value: 'key-material', in: 'header' } },
        },
      },
    },
    selfservice: {
      methods: {
        oidc: {
          config: {
            providers: [
              { id: 'google', client_id: 'abc', client_secret: 'google-secret', apple_private_key: 'pem' },
            ],
          },
        },
      },
      flows: {
        login: {
          after: {
            hooks: [
              {
                hook: 'web_hook',
                config: {
                  url: 'https://h',
                  auth: { type: 'basic_auth', config: { user: 'u', password: 'pw' } },
                },
              },
            ],
          },
        },
      },
    },
    session: { whoami: { tokenizer: { templates: { jwt: { jwks_url: 'base64://abc', ttl: '1m' } } } } },
    cache: { redis: { url: 'rediss://:redis-pass@cache:6380/0' } },
    access_rules: { repositories: ['file:///rules.json'] },
    authenticators: {
      oauth2_introspection: {
        config: { pre_authorization: { client_secret: 'introspect', token_url: 'https://t' } },
      },
    },
    api_key: 'top-level-key',
    token: 'some-token',
  };

  const redacted = redactConfig(document);

  it('replaces every secrets.* value', () => {
    expect(redacted.secrets).toEqual({ default: REDACTED, cookie: REDACTED, cipher: REDACTED });
  });

  it('masks passwords inside DSNs and URLs, and secret query parameters', () => {
    expect(redacted.dsn).toBe('postgres://kratos:***@db:5432/kratos?sslmode=disable&password=***');
    expect(redacted.cache).toEqual({ redis: { url: 'rediss://:***@cache:6380/0' } });
    const courier = redacted.courier as { smtp: Record<string, unknown> };
    expect(courier.smtp).toEqual({
      connection_uri: 'smtps://mailer:***@smtp.example.com:465/',
      from_address: 'no-reply@example.com',
    });
  });

  it('replaces values under secret-looking keys at any depth, and API-key auth values', () => {
    const text = JSON.stringify(redacted);
    for (const secret of [
      'google-secret',
      'pem',
      'pw',
      'key-material',
      'introspect',
      'top-level-key',
      'some-token',
      's3cr3t',
    ]) {
      expect(text).not.toContain(`"${secret}"`);
      expect(text).not.toContain(`:${secret}@`);
    }
    expect(text).toContain('"client_id":"abc"');
    expect(text).toContain('"name":"X-Key"');
    expect(text).toContain('"jwks_url":"base64://abc"'); // `tokenizer` is not a token
  });

  it('keeps only the names of headers sent to another service (oauth2_provider.headers, hook headers)', () => {
    const out = redactConfig({
      oauth2_provider: {
        url: 'http://hydra:4445',
        headers: { Authorization: 'Bearer hydra-admin', 'X-Tenant': 't1' },
      },
      hook: { config: { url: 'https://hooks.example', headers: { 'X-Api-Key': 'hook-key' } } },
    });
    expect(out).toEqual({
      oauth2_provider: {
        url: 'http://hydra:4445',
        headers: { Authorization: REDACTED, 'X-Tenant': REDACTED },
      },
      hook: { config: { url: 'https://hooks.example', headers: { 'X-Api-Key': REDACTED } } },
    });
  });

  it('does not change the input', () => {
    expect(document.secrets.default).toEqual(['default-secret-0001']);
    expect(document.dsn).toContain('s3cr3t');
  });
});

describe('redactUrl', () => {
  it.each([
    ['postgres://user:pa/ss@word@host:5432/db', 'postgres://user:***@host:5432/db'],
    ['mysql://user:secret@tcp(mysqld:3306)/db', 'mysql://user:***@tcp(mysqld:3306)/db'],
    ['postgres://user@host/db', 'postgres://user@host/db'],
    ['https://example.com/path', 'https://example.com/path'],
    ['memory', 'memory'],
    ['not a url: with colon', 'not a url: with colon'],
  ])('%s -> %s', (input, output) => {
    expect(redactUrl(input)).toBe(output);
  });
});
