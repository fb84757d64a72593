import { describe, expect, it } from 'vitest';
import { createReturnToValidator } from '../../kernel/return-to.js';
import { postHookTarget, showVerificationItems } from './send-on-change.js';

const validator = createReturnToValidator({
  allowedReturnUrls: ['https://app.example.test/'],
  defaultReturnUrl: 'https://app.example.test/welcome',
  publicBaseUrl: 'https://auth.example.test/',
});
const registration = (query: Record<string, string>) =>
  `https://auth.example.test/self-service/registration/browser?${new URLSearchParams(query)}`;

describe('postHookTarget (Kratos verification.NewPostHookFlow)', () => {
  it('makes after_verification_return_to the return_to of the request URL and of the flow', () => {
    const target = postHookTarget(
      validator,
      registration({
        return_to: 'https://app.example.test/signed-up',
        after_verification_return_to: 'https://app.example.test/verified',
        identity_schema: 'exam',
      }),
    );
    expect(target.returnTo).toBe('https://app.example.test/verified');
    const url = new URL(target.requestUrl);
    expect(url.pathname).toBe('/self-service/registration/browser');
    expect(url.searchParams.get('return_to')).toBe('https://app.example.test/verified');
    expect(url.searchParams.has('after_verification_return_to')).toBe(false);
    expect(url.searchParams.get('identity_schema')).toBe('exam');
  });

  it("keeps the originating flow's return_to when after_verification_return_to is absent or empty", () => {
    const plain = registration({ return_to: 'https://app.example.test/signed-up' });
    expect(postHookTarget(validator, plain)).toEqual({
      requestUrl: plain,
      returnTo: 'https://app.example.test/signed-up',
    });
    const empty = postHookTarget(
      validator,
      registration({ return_to: 'https://app.example.test/signed-up', after_verification_return_to: '' }),
    );
    expect(empty.returnTo).toBe('https://app.example.test/signed-up');
    expect(new URL(empty.requestUrl).searchParams.has('after_verification_return_to')).toBe(false);
  });

  it('follows no return_to outside the allowed URLs, and none when there is none', () => {
    const foreign = postHookTarget(
      validator,
      registration({ after_verification_return_to: 'https://evil.example.test/' }),
    );
    expect(foreign.returnTo).toBeNull();
    expect(postHookTarget(validator, registration({})).returnTo).toBeNull();
    expect(postHookTarget(validator, 'not a url')).toEqual({ requestUrl: 'not a url', returnTo: null });
  });

  it('resolves a relative after_verification_return_to as any return_to', () => {
    const relative = postHookTarget(validator, registration({ after_verification_return_to: '/verified' }));
    expect(relative.returnTo).toBe('https://app.example.test/verified');
  });
});

describe('showVerificationItems (Kratos master Verifier and show_verification_ui hook)', () => {
  const started = [
    { flowId: 'f1', address: 'ivy@example.test', type: 'browser' as const, uiUrl: 'https://ui/v?flow=f1' },
    { flowId: 'f2', address: 'ivy.b@example.test', type: 'browser' as const, uiUrl: 'https://ui/v?flow=f2' },
  ];

  it('lists nothing without the hook or the legacy flag', () => {
    expect(showVerificationItems(started, { legacy: false, hook: false })).toEqual([]);
  });

  it("lists the flow the hook reads (the last) with the hook, with the UI's URL for browser flows", () => {
    expect(showVerificationItems(started, { legacy: false, hook: true })).toEqual([
      {
        action: 'show_verification_ui',
        flow: { id: 'f2', verifiable_address: 'ivy.b@example.test', url: 'https://ui/v?flow=f2' },
      },
    ]);
  });

  it('lists every flow under the legacy flag, once each, without a URL for native flows', () => {
    const native = started.map((s) => ({ ...s, type: 'api' as const }));
    for (const hook of [false, true]) {
      expect(showVerificationItems(native, { legacy: true, hook })).toEqual([
        { action: 'show_verification_ui', flow: { id: 'f1', verifiable_address: 'ivy@example.test' } },
        { action: 'show_verification_ui', flow: { id: 'f2', verifiable_address: 'ivy.b@example.test' } },
      ]);
    }
  });
});
