import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/index.js';
import { httpDeliveryContext, kratosTemplateData } from './http.js';
import {
  courierHttpConfig,
  courierSmsChannelConfig,
  deliveryStrategy,
  KRATOS_DEFAULT_HTTP_BODY,
} from './http-config.js';

const doc = (requestConfig: Record<string, unknown>) => ({
  courier: { delivery_strategy: 'http', http: { request_config: requestConfig } },
});

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('courier.http.request_config', () => {
  it("applies Kratos's defaults: POST, a JSON Content-Type and Kratos's default body", () => {
    expect(deliveryStrategy(doc({}))).toBe('http');
    expect(deliveryStrategy({ courier: {} })).toBe('smtp');
    expect(courierHttpConfig(doc({ url: 'https://mail.example.com/send' }))).toEqual({
      path: 'courier.http.request_config',
      url: 'https://mail.example.com/send',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      bodyUri: KRATOS_DEFAULT_HTTP_BODY,
      encoding: 'json',
      auth: undefined,
    });
  });

  it("keeps the vendored schema's default body", async () => {
    const schema = JSON.parse(
      await readFile(new URL('../../config/vendor/kratos.config.schema.json', import.meta.url), 'utf8'),
    ) as { definitions: { httpRequestConfig: { properties: { body: { default: string } } } } };
    expect(KRATOS_DEFAULT_HTTP_BODY).toBe(schema.definitions.httpRequestConfig.properties.body.default);
  });

  it('reads method, headers, body and auth, and picks form encoding from the Content-Type', () => {
    const config = courierHttpConfig(
      doc({
        url: 'http://127.0.0.1:9/mail',
        method: 'put',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Tenant': 'a' },
        body: './body.jsonnet',
        auth: { type: 'api_key', config: { name: 'session', value: 's3cret', in: 'cookie' } },
      }),
    );
    expect(config).toEqual({
      path: 'courier.http.request_config',
      url: 'http://127.0.0.1:9/mail',
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Tenant': 'a' },
      // A bare path is a file, as in Kratos (deprecated there).
      bodyUri: 'file://./body.jsonnet',
      encoding: 'form',
      auth: { type: 'api_key', name: 'session', value: 's3cret', in: 'cookie' },
    });
    expect(
      courierHttpConfig(
        doc({
          url: 'https://x.example/',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          auth: { type: 'basic_auth', config: { user: 'me', password: '12345' } },
        }),
      ),
    ).toMatchObject({ encoding: 'json', auth: { type: 'basic_auth', user: 'me', password: '12345' } });
  });

  it('sends no body with TRACE, whatever the Content-Type', () => {
    const config = courierHttpConfig(
      doc({ url: 'https://x.example/', method: 'TRACE', headers: { 'Content-Type': 'text/plain' } }),
    );
    expect(config.bodyUri).toBeUndefined();
  });

  it('refuses at start what Kratos would refuse on every send', () => {
    expect(configError(() => courierHttpConfig(doc({}))).issues[0]?.path).toBe(
      'courier.http.request_config.url',
    );
    expect(configError(() => courierHttpConfig(doc({ url: 'ftp://x.example/' }))).issues[0]?.path).toBe(
      'courier.http.request_config.url',
    );
    const contentType = configError(() =>
      courierHttpConfig(doc({ url: 'https://x.example/', headers: { 'Content-Type': 'text/plain' } })),
    );
    expect(contentType.issues[0]).toMatchObject({
      path: 'courier.http.request_config.headers',
      message: expect.stringContaining('application/json'),
    });
    const auth = configError(() =>
      courierHttpConfig(doc({ url: 'https://x.example/', auth: { type: 'api_key', config: { name: 'k' } } })),
    );
    expect(auth.issues[0]).toEqual({
      path: 'courier.http.request_config.auth',
      message: 'auth api_key needs config.name and config.value',
    });
  });
});

describe('courier.channels (the sms channel)', () => {
  const channels = (list: unknown) => ({ courier: { channels: list } });

  it('is the first channel with id sms, read as a request_config, with the default body', () => {
    expect(courierSmsChannelConfig({ courier: {} })).toBeUndefined();
    expect(courierSmsChannelConfig(channels([]))).toBeUndefined();
    const config = courierSmsChannelConfig(
      channels([
        {
          id: 'sms',
          type: 'http',
          request_config: {
            url: 'https://sms.example.com/send',
            headers: { 'X-Tenant': 'a' },
            auth: { type: 'basic_auth', config: { user: 'me', password: '12345' } },
          },
        },
        { id: 'sms', type: 'http', request_config: { url: 'https://second.example.com/' } },
      ]),
    );
    expect(config).toEqual({
      path: 'courier.channels[0].request_config',
      url: 'https://sms.example.com/send',
      method: 'POST',
      headers: { 'X-Tenant': 'a', 'Content-Type': 'application/json' },
      bodyUri: KRATOS_DEFAULT_HTTP_BODY,
      encoding: 'json',
      auth: { type: 'basic_auth', user: 'me', password: '12345' },
    });
  });

  it('refuses at start a channel Kratos would fail on every send: no http type, no URL', () => {
    expect(
      configError(() =>
        courierSmsChannelConfig(channels([{ id: 'sms', request_config: { url: 'https://x.example/' } }])),
      ).issues[0],
    ).toEqual({ path: 'courier.channels[0].type', message: expect.stringContaining('http') });
    expect(
      configError(() => courierSmsChannelConfig(channels([{ id: 'sms', type: 'http', request_config: {} }])))
        .issues[0]?.path,
    ).toBe('courier.channels[0].request_config.url');
  });
});

describe('the Jsonnet ctx', () => {
  it("is Kratos's httpDataModel", () => {
    const email = {
      id: 'a6d0c2b0-0000-4000-8000-000000000001',
      type: 'email' as const,
      recipient: 'ada@example.com',
      subject: 'Please verify your email address',
      body: 'code 123456',
      html_body: '<p>code 123456</p>',
      template_type: 'verification_code_valid',
    };
    expect(httpDeliveryContext(email)).toEqual({
      recipient: 'ada@example.com',
      subject: 'Please verify your email address',
      body: 'code 123456',
      html_body: '<p>code 123456</p>',
      template_type: 'verification_code_valid',
      template_data: { to: 'ada@example.com' },
      message_type: 'email',
    });
    // Kratos leaves html_body out when the template has none.
    expect(httpDeliveryContext({ ...email, html_body: null })).not.toHaveProperty('html_body');
  });

  it('says message_type sms, with an empty subject and no html_body, for an SMS', () => {
    const sms = {
      id: 'a6d0c2b0-0000-4000-8000-000000000002',
      type: 'sms' as const,
      recipient: '+15555550123',
      subject: '',
      body: '123456 is your verification code.',
      html_body: null,
      template_type: 'verification_code_valid',
      template_data: { to: '+15555550123', verification_code: '123456' },
    };
    expect(httpDeliveryContext(sms)).toEqual({
      recipient: '+15555550123',
      subject: '',
      body: '123456 is your verification code.',
      template_type: 'verification_code_valid',
      template_data: { to: '+15555550123', verification_code: '123456' },
      message_type: 'sms',
    });
  });

  it("names template variables as Kratos's template models marshal them", () => {
    expect(
      kratosTemplateData({
        To: 'ada@example.com',
        VerificationCode: '123456',
        VerificationURL: 'https://example.com/v',
        Identity: { id: 'x' },
        ExpiresInMinutes: 15,
        RequestURL: 'https://example.com/r',
      }),
    ).toEqual({
      to: 'ada@example.com',
      verification_code: '123456',
      verification_url: 'https://example.com/v',
      identity: { id: 'x' },
      expires_in_minutes: 15,
      request_url: 'https://example.com/r',
    });
    expect(kratosTemplateData({ To: 'b@example.com', RecoveryCode: '1', RecoveryURL: 'u' })).toEqual({
      to: 'b@example.com',
      recovery_code: '1',
      recovery_url: 'u',
    });
  });
});
