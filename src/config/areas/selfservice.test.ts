import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import { selfServiceConfig } from './selfservice.js';

const BASE = new URL('https://auth.example.com/base/');
const read = (document: object) => selfServiceConfig(document as KratosConfigDocument, BASE);

describe('selfservice.flows.error.ui_url', () => {
  it('defaults to the built-in UI error page', () => {
    expect(read({}).error.uiUrl).toBe('https://auth.example.com/base/ui/error');
  });

  it('takes the configured URL', () => {
    const document = { selfservice: { flows: { error: { ui_url: 'https://app.example.com/error' } } } };
    expect(read(document).error.uiUrl).toBe('https://app.example.com/error');
    expect(read({ ...document, ui: { enabled: false } }).error.uiUrl).toBe('https://app.example.com/error');
  });

  it('is unset when the built-in UI is off and no URL is configured', () => {
    expect(read({ ui: { enabled: false } }).error.uiUrl).toBeUndefined();
  });
});

describe('selfservice.flows.login.style', () => {
  it("is Kratos's default, unified, when unset", () => {
    expect(read({}).login.style).toBe('unified');
  });

  it('reads identifier_first', () => {
    const document = { selfservice: { flows: { login: { style: 'identifier_first' } } } };
    expect(read(document).login.style).toBe('identifier_first');
  });
});

describe('security.account_enumeration.mitigate', () => {
  it("is off unless set, as Kratos's default", () => {
    expect(read({}).mitigateAccountEnumeration).toBe(false);
    const document = { security: { account_enumeration: { mitigate: true } } };
    expect(read(document).mitigateAccountEnumeration).toBe(true);
  });
});
