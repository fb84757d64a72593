import { describe, expect, it } from 'vitest';
import { withoutDetails } from './safe-error.js';

describe('withoutDetails', () => {
  it('keeps name and message and drops whatever else the error carries', () => {
    const error = Object.assign(new TypeError('ERR boom'), {
      command: { name: 'evalsha', args: ['k', 'v'] },
    });
    const safe = withoutDetails(error);
    expect(safe).toBeInstanceOf(Error);
    expect(safe.name).toBe('TypeError');
    expect(safe.message).toBe('ERR boom');
    expect(safe).not.toHaveProperty('command');
  });

  it('wraps values that are not errors', () => {
    expect(withoutDetails('down').message).toBe('down');
  });
});
