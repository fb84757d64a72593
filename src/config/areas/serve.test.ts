import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { kratosGuessedBaseUrl, listenerBaseUrlText, serveConfig } from './serve.js';

const doc = (serve: Record<string, unknown>) => ({ serve }) as unknown as KratosConfigDocument;
const hostname = () => 'build-box';

function listeners(document: KratosConfigDocument, options?: Parameters<typeof serveConfig>[1]) {
  const result = serveConfig(document, options);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('serveConfig', () => {
  it('keeps base_url as written beside the parsed URL, which gains a trailing /', () => {
    const { public: pub, admin } = listeners(
      doc({
        public: { host: '0.0.0.0', port: 4433, base_url: 'https://Auth.Example.com:443' },
        admin: { host: '0.0.0.0', port: 4434, base_url: 'http://foo.com/bar' },
      }),
    );
    expect(pub.baseUrl.href).toBe('https://auth.example.com/');
    expect(pub.baseUrlText).toBe('https://Auth.Example.com:443');
    expect(admin.baseUrl.href).toBe('http://foo.com/bar/');
    expect(admin.baseUrlText).toBe('http://foo.com/bar');
  });

  it("gives a base URL left unset Kratos's guessed text (guessBaseURL), while serving the default", () => {
    // The effective document, as applyDefaults filled it, and what the user wrote.
    const effective = doc({
      public: { host: '0.0.0.0', port: 4433, base_url: 'http://127.0.0.1:4433/' },
      admin: { host: '10.0.0.5', port: 4434, base_url: 'http://10.0.0.5:4434/' },
    });
    const asWritten = doc({ admin: { host: '10.0.0.5' } });
    const prod = listeners(effective, { dev: false, asWritten, hostname });
    expect(prod.public.baseUrl.href).toBe('http://127.0.0.1:4433/');
    expect(prod.public.baseUrlText).toBe('https://build-box:4433/');
    expect(prod.admin.baseUrlText).toBe('https://10.0.0.5:4434/');
    const dev = listeners(effective, { dev: true, asWritten, hostname });
    expect(dev.public.baseUrlText).toBe('http://build-box:4433/');
  });

  it('counts a base URL the user wrote as written even when it equals the default', () => {
    const written = doc({
      public: { host: '0.0.0.0', port: 4433, base_url: 'http://127.0.0.1:4433/' },
      admin: { host: '0.0.0.0', port: 4434, base_url: 'http://127.0.0.1:4434/' },
    });
    const { public: pub } = listeners(written, { dev: false, asWritten: written, hostname });
    expect(listenerBaseUrlText(pub)).toBe('http://127.0.0.1:4433/');
    // Text and parsed URL agree here, so the listener carries the URL alone.
    expect(pub).toEqual({ host: '0.0.0.0', port: 4433, baseUrl: new URL('http://127.0.0.1:4433/') });
  });
});

describe('kratosGuessedBaseUrl', () => {
  it('uses the host unless it is unset, empty or 0.0.0.0, and https unless dev', () => {
    expect(kratosGuessedBaseUrl({ host: undefined, port: 4433, dev: false, hostname })).toBe(
      'https://build-box:4433/',
    );
    expect(kratosGuessedBaseUrl({ host: '', port: 4433, dev: true, hostname })).toBe(
      'http://build-box:4433/',
    );
    expect(kratosGuessedBaseUrl({ host: '0.0.0.0', port: 1, dev: false, hostname })).toBe(
      'https://build-box:1/',
    );
    expect(kratosGuessedBaseUrl({ host: 'kratos', port: 4434, dev: false, hostname })).toBe(
      'https://kratos:4434/',
    );
  });
});

describe('listenerBaseUrlText', () => {
  it("is the serve config's text, or the URL's for a listener built by hand", () => {
    const { public: pub } = listeners(
      doc({
        public: { host: '0.0.0.0', port: 4433, base_url: 'http://foo.com/bar' },
        admin: { host: '0.0.0.0', port: 4434, base_url: 'http://127.0.0.1:4434/' },
      }),
    );
    expect(listenerBaseUrlText(pub)).toBe('http://foo.com/bar');
    expect(
      listenerBaseUrlText({ host: '0.0.0.0', port: 4433, baseUrl: new URL('http://foo.com/bar/') }),
    ).toBe('http://foo.com/bar/');
  });
});
