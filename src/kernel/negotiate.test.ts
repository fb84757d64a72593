import { describe, expect, it } from 'vitest';
import { negotiateContentType } from './negotiate.js';

const OFFERS = ['text/html', 'application/json'];
const pick = (accept: string | undefined) => negotiateContentType(accept, OFFERS, 'text/html');

describe('negotiateContentType (Kratos / gddo rules)', () => {
  it('falls back without an Accept header, or with nothing usable in it', () => {
    expect(pick(undefined)).toBe('text/html');
    expect(pick('')).toBe('text/html');
    expect(pick('garbage')).toBe('text/html');
  });

  it('takes an exact match over wildcards, and the earlier offer on a tie', () => {
    expect(pick('application/json')).toBe('application/json');
    expect(pick('*/*')).toBe('text/html');
    expect(pick('application/json, text/plain, */*')).toBe('application/json');
    expect(pick('text/html, application/json')).toBe('text/html');
    expect(pick('application/json, text/html')).toBe('text/html');
    expect(pick('text/*, application/json')).toBe('application/json');
  });

  it('honours q values, and q=0 refuses a type', () => {
    expect(pick('text/html;q=0.5, application/json')).toBe('application/json');
    expect(pick('application/json;q=0, text/html')).toBe('text/html');
    expect(pick('application/json;q=0')).toBe('text/html');
    expect(pick('Application/JSON; q=0.9')).toBe('application/json');
  });
});
