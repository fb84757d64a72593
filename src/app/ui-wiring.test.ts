import { describe, expect, it } from 'vitest';
import { selfServiceConfig } from '../config/index.js';
import { formTargets } from './ui-wiring.js';

describe('formTargets', () => {
  it('lists every place a form post may redirect to', () => {
    const config = selfServiceConfig(
      {
        selfservice: {
          default_browser_return_url: 'https://app.example.com/home',
          allowed_return_urls: ['https://*.example.org/'],
          flows: {
            login: {
              ui_url: 'https://login.example.net/login',
              after: { password: { default_browser_return_url: 'https://after.example.com/' } },
            },
            logout: { after: { default_browser_return_url: 'https://bye.example.com/' } },
          },
        },
      } as unknown as Parameters<typeof selfServiceConfig>[0],
      new URL('http://127.0.0.1:4433/'),
    );
    const targets = formTargets(config, (method) =>
      method === 'profile' ? 'https://profile.example.com/' : undefined,
    );
    expect(targets).toEqual(
      expect.arrayContaining([
        'https://app.example.com/home',
        'https://*.example.org/',
        'https://login.example.net/login',
        'https://after.example.com/',
        'https://bye.example.com/',
        'https://profile.example.com/',
        'http://127.0.0.1:4433/ui/registration',
      ]),
    );
    expect(new Set(targets).size).toBe(targets.length);
  });
});
