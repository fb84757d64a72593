import { describe, expect, it } from 'vitest';
import { parseWebHookConfig, WebHookConfigError } from './config.js';

describe('parseWebHookConfig', () => {
  it('reads Kratos keys, with can_interrupt as the old name of response.parse', () => {
    const config = parseWebHookConfig({
      url: 'https://hooks.example/x',
      method: 'post',
      body: './body.jsonnet',
      can_interrupt: true,
      auth: { type: 'api_key', config: { name: 'X-Key', value: 'v', in: 'cookie' } },
    });
    expect(config).toMatchObject({
      url: 'https://hooks.example/x',
      method: 'POST',
      bodyUri: 'file://./body.jsonnet',
      parse: true,
      ignore: false,
      auth: { type: 'api_key', name: 'X-Key', value: 'v', in: 'cookie' },
    });
  });

  it('refuses ignore together with parse, and a missing url', () => {
    expect(() =>
      parseWebHookConfig({ url: 'https://x', method: 'POST', response: { ignore: true, parse: true } }),
    ).toThrow(WebHookConfigError);
    expect(() => parseWebHookConfig({ method: 'POST' })).toThrow(WebHookConfigError);
  });
});
