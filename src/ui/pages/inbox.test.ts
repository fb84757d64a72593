import { describe, expect, it } from 'vitest';
import { inboxLabel } from './inbox.js';

describe('inboxLabel', () => {
  it('is an email’s subject', () => {
    expect(inboxLabel({ type: 'email', subject: 'Please verify your email address', body: 'Hi' })).toBe(
      'Please verify your email address',
    );
  });

  it('is the start of an SMS’s body, which has no subject, on one line', () => {
    expect(inboxLabel({ type: 'sms', subject: '', body: 'Your verification code is:\n123456' })).toBe(
      'Your verification code is: 123456',
    );
    const long = inboxLabel({ type: 'sms', subject: '', body: 'x'.repeat(200) });
    expect(long).toHaveLength(60);
    expect(long.endsWith('…')).toBe(true);
  });
});
