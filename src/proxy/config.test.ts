import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../config/index.js';
import {
  accessRulesSettings,
  apiListenerSettings,
  errorsSettings,
  handlerSettings,
  proxyListenerSettings,
} from './config.js';

const base: KratosConfigDocument = {
  dsn: 'memory',
  identity: { schemas: [] },
  selfservice: { default_browser_return_url: 'http://localhost/' },
};

describe('proxy config', () => {
  it("fills Oathkeeper's defaults", () => {
    const proxy = proxyListenerSettings(base);
    expect(proxy).toMatchObject({
      host: '',
      port: 4455,
      trustForwardedHeaders: false,
      timeout: { readMs: 5_000, writeMs: 120_000, idleMs: 120_000 },
      tls: undefined,
    });
    expect(proxy.cors.enabled).toBe(false);
    expect(proxy.cors.allowedOrigins).toEqual(['*']);
    expect(apiListenerSettings(base).port).toBe(4456);
    expect(accessRulesSettings(base)).toEqual({ repositories: [], matchingStrategy: 'regexp' });
    expect(errorsSettings(base).fallback).toEqual(['json']);
    expect(handlerSettings(base, 'authenticators', 'noop')).toEqual({ enabled: false, config: {} });
    expect(handlerSettings(base, 'errors', 'json')).toEqual({ enabled: true, config: {} });
  });

  it('reads what is set', () => {
    const document: KratosConfigDocument = {
      ...base,
      serve: {
        proxy: { port: 1, host: '127.0.0.1', trust_forwarded_headers: true, timeout: { read: '1m' } },
        api: { cors: { enabled: true, allowed_origins: ['https://a.example'] } },
      },
      access_rules: { repositories: ['file:///r.json'], matching_strategy: 'glob' },
      authenticators: { cookie_session: { enabled: true, config: { check_session_url: 'http://k/' } } },
      errors: { fallback: ['redirect'], handlers: { json: { enabled: false } } },
    };
    expect(proxyListenerSettings(document)).toMatchObject({
      port: 1,
      host: '127.0.0.1',
      trustForwardedHeaders: true,
      timeout: { readMs: 60_000, writeMs: 120_000 },
    });
    expect(apiListenerSettings(document).cors).toMatchObject({
      enabled: true,
      allowedOrigins: ['https://a.example'],
    });
    expect(accessRulesSettings(document)).toEqual({
      repositories: ['file:///r.json'],
      matchingStrategy: 'glob',
    });
    expect(handlerSettings(document, 'authenticators', 'cookie_session')).toEqual({
      enabled: true,
      config: { check_session_url: 'http://k/' },
    });
    expect(handlerSettings(document, 'errors', 'json').enabled).toBe(false);
    expect(handlerSettings(document, 'authenticators', '__proto__')).toEqual({ enabled: false, config: {} });
    expect(errorsSettings(document).fallback).toEqual(['redirect']);
  });

  it('reads tls as cert and key sources, absent when neither is set', () => {
    const tls = (value: unknown) =>
      proxyListenerSettings({ ...base, serve: { proxy: { tls: value } } } as KratosConfigDocument).tls;
    expect(tls(undefined)).toBeUndefined();
    expect(tls({})).toBeUndefined();
    expect(tls({ cert: { path: 'cert.pem' }, key: { base64: 'LS0t' } })).toEqual({
      cert: { path: 'cert.pem', base64: undefined },
      key: { path: undefined, base64: 'LS0t' },
    });
    // One half alone is kept, so that the start can refuse it by name.
    expect(tls({ cert: { path: 'cert.pem' } })).toEqual({
      cert: { path: 'cert.pem', base64: undefined },
      key: undefined,
    });
  });
});
