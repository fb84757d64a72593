import { describe, expect, it } from 'vitest';
import type { SelfServiceFlow } from '../flow/flow.js';
import { loginUrl, reauthenticationUrl } from './session.js';

const publicBase = new URL('https://id.example.com/auth/');

describe('reauthenticationUrl', () => {
  it('asks for a refreshed login that returns to the flow, under the public base URL', () => {
    const flow = { id: '0b8f8a36-33f5-4a9c-9d6e-5d0d8d1e2f3a' } as SelfServiceFlow;
    const url = new URL(reauthenticationUrl({ publicBase }, flow));
    expect(url.origin + url.pathname).toBe('https://id.example.com/auth/self-service/login/browser');
    expect(url.searchParams.get('refresh')).toBe('true');
    expect(url.searchParams.get('return_to')).toBe(
      'https://id.example.com/auth/self-service/settings?flow=0b8f8a36-33f5-4a9c-9d6e-5d0d8d1e2f3a',
    );
  });
});

describe('loginUrl', () => {
  it('takes a return_to along, and only when there is one', () => {
    expect(loginUrl({ publicBase })).toBe('https://id.example.com/auth/self-service/login/browser');
    expect(loginUrl({ publicBase }, 'https://app.example.com/')).toBe(
      'https://id.example.com/auth/self-service/login/browser?return_to=https%3A%2F%2Fapp.example.com%2F',
    );
  });
});
