import { describe, expect, it } from 'vitest';
import { settingsAfterReturnUrl } from './settings-wiring.js';

const document = (after: unknown) => ({ selfservice: { flows: { settings: { after } } } });

describe('settingsAfterReturnUrl', () => {
  it("prefers the method's URL, then the flow's, and has none otherwise", () => {
    const after = {
      default_browser_return_url: 'https://app.example/settings-done',
      password: { default_browser_return_url: 'https://app.example/password-done' },
    };
    expect(settingsAfterReturnUrl(document(after), 'password')).toBe('https://app.example/password-done');
    expect(settingsAfterReturnUrl(document(after), 'profile')).toBe('https://app.example/settings-done');
    expect(settingsAfterReturnUrl(document({}), 'profile')).toBeUndefined();
    expect(
      settingsAfterReturnUrl({ selfservice: { default_browser_return_url: 'https://x/' } }, 'profile'),
    ).toBe(undefined);
  });
});
