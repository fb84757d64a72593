import { describe, expect, it } from 'vitest';
import type { KratosConfigDocument } from '../types.js';
import {
  disabledFlowMethodWarnings,
  selfServiceConfig,
  unreachableParseHookWarnings,
  unsupportedSettingsHookIssues,
} from './selfservice.js';

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

describe('selfservice.flows.registration.login_hints', () => {
  it("is off unless set to true, as Kratos's default", () => {
    expect(read({}).registration.loginHints).toBe(false);
    const on = { selfservice: { flows: { registration: { login_hints: true } } } };
    expect(read(on).registration.loginHints).toBe(true);
  });
});

describe('selfservice.methods.password.enabled', () => {
  it('is on unless set to false, as Kratos', () => {
    expect(read({}).password.enabled).toBe(true);
    const off = { selfservice: { methods: { password: { enabled: false } } } };
    expect(read(off).password.enabled).toBe(false);
  });
});

describe('selfservice.flows.*.after hooks', () => {
  const document = {
    selfservice: {
      flows: {
        settings: {
          after: {
            hooks: [{ hook: 'web_hook', config: { url: 'https://h/global' } }],
            profile: { hooks: [{ hook: 'web_hook', config: { url: 'https://h/profile' } }] },
          },
        },
      },
    },
  };

  it("hooks(method): the method's own list, else the flow's; ownHooks(method): the method's own only", () => {
    const after = read(document).settings.after;
    expect(after.hooks('profile').map((h) => h.config.url)).toEqual(['https://h/profile']);
    expect(after.hooks('password').map((h) => h.config.url)).toEqual(['https://h/global']);
    expect(after.ownHooks('profile').map((h) => h.config.url)).toEqual(['https://h/profile']);
    expect(after.ownHooks('password')).toEqual([]);
  });
});

describe('settings hooks not supported yet', () => {
  it('verify_new_address and notify_previous_addresses are refused where they are named', () => {
    const document = {
      selfservice: {
        flows: {
          settings: {
            after: {
              hooks: [{ hook: 'notify_previous_addresses' }],
              profile: { hooks: [{ hook: 'revoke_active_sessions' }, { hook: 'verify_new_address' }] },
            },
          },
        },
      },
    };
    const issues = unsupportedSettingsHookIssues(document as unknown as KratosConfigDocument);
    expect(issues.map((i) => i.path)).toEqual([
      'selfservice.flows.settings.after.hooks.0.hook',
      'selfservice.flows.settings.after.profile.hooks.1.hook',
    ]);
    expect(issues[1]?.message).toMatch(/^"verify_new_address" is not supported yet: /);
    expect(
      unsupportedSettingsHookIssues({
        selfservice: { flows: { settings: { after: { profile: { hooks: [] } } } } },
      } as unknown as KratosConfigDocument),
    ).toEqual([]);
  });

  it('warns of parse web hooks in the flow-wide registration and settings after.hooks, which never run', () => {
    const parse = { hook: 'web_hook', config: { url: 'http://h.test/', response: { parse: true } } };
    const plain = { hook: 'web_hook', config: { url: 'http://h.test/' } };
    const document = {
      selfservice: {
        flows: {
          registration: { after: { hooks: [plain, parse], password: { hooks: [parse] } } },
          settings: { after: { hooks: [{ hook: 'web_hook', config: { url: 'x', can_interrupt: true } }] } },
          login: { after: { hooks: [parse] } },
        },
      },
    } as unknown as KratosConfigDocument;
    const warnings = unreachableParseHookWarnings(document);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^selfservice\.flows\.registration\.after\.hooks\.1: /);
    expect(warnings[1]).toMatch(/^selfservice\.flows\.settings\.after\.hooks\.0: /);
  });

  it("falls back to the flow's after.hooks when a method's list is absent or empty, as Kratos", () => {
    const config = read({
      selfservice: {
        flows: {
          registration: {
            after: {
              hooks: [{ hook: 'session' }],
              password: { hooks: [] },
              oidc: { hooks: [{ hook: 'show_verification_ui' }] },
            },
          },
        },
      },
    });
    const names = (method: string) => config.registration.after.hooks(method).map((h) => h.hook);
    expect(names('password')).toEqual(['session']);
    expect(names('code')).toEqual(['session']);
    expect(names('oidc')).toEqual(['show_verification_ui']);
    expect(config.registration.after.ownHooks('password')).toEqual([]);
  });
});

describe('selfservice.methods.{code,link}.enabled', () => {
  it('defaults to code on and link off, as Kratos', () => {
    expect([read({}).code.enabled, read({}).link.enabled]).toEqual([true, false]);
    const flipped = read({ selfservice: { methods: { code: { enabled: false }, link: { enabled: true } } } });
    expect([flipped.code.enabled, flipped.link.enabled]).toEqual([false, true]);
  });

  it('warns at start when an enabled flow uses a method that is off', () => {
    const document = (flows: object, methods: object = {}) =>
      ({ selfservice: { flows, methods } }) as unknown as KratosConfigDocument;
    expect(disabledFlowMethodWarnings(document({ recovery: { enabled: true, use: 'link' } }))).toEqual([
      'selfservice.flows.recovery.use is "link" but selfservice.methods.link.enabled is not true: recovery flows cannot start',
    ]);
    expect(
      disabledFlowMethodWarnings(
        document({ recovery: { enabled: true, use: 'link' } }, { link: { enabled: true } }),
      ),
    ).toEqual([]);
    expect(
      disabledFlowMethodWarnings(document({ verification: { enabled: true } }, { code: { enabled: false } })),
    ).toHaveLength(1);
    expect(disabledFlowMethodWarnings(document({ recovery: { enabled: false, use: 'link' } }))).toEqual([]);
  });
});

describe('feature_flags of verification (Kratos master)', () => {
  it('are off unless set to true', () => {
    expect(read({}).featureFlags).toEqual({
      legacyContinueWithVerificationUi: false,
      legacyRequireVerifiedLoginError: false,
    });
    const on = {
      feature_flags: {
        legacy_continue_with_verification_ui: true,
        legacy_require_verified_login_error: true,
      },
    };
    expect(read(on).featureFlags).toEqual({
      legacyContinueWithVerificationUi: true,
      legacyRequireVerifiedLoginError: true,
    });
    const strings = {
      feature_flags: { legacy_continue_with_verification_ui: 'true', legacy_require_verified_login_error: 1 },
    };
    expect(read(strings).featureFlags.legacyContinueWithVerificationUi).toBe(false);
  });
});
