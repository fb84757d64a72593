import { describe, expect, it } from 'vitest';
import { identityFixture } from '../persistence/testing/identity-fixtures.js';
import { countActiveFirstFactors } from './first-factors.js';

const NOW = new Date('2026-06-01T00:00:00.000Z');

describe('countActiveFirstFactors', () => {
  it('counts a provider account stored twice (before imports refused that) once', () => {
    const identity = identityFixture('twice@example.com', {
      credentials: {
        oidc: {
          type: 'oidc',
          identifiers: ['github:x1', 'github:x1'],
          config: {
            providers: [
              { provider: 'github', subject: 'x1' },
              { provider: 'github', subject: 'x1' },
            ],
          },
          version: 0,
          created_at: NOW,
          updated_at: NOW,
        },
      },
    });
    // Unlinking github:x1 removes both entries: it must count as the one way in it is.
    expect(countActiveFirstFactors(identity)).toBe(1);
  });
});
