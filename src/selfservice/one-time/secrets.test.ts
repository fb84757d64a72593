import { describe, expect, it } from 'vitest';
import { withTimingFloor } from './equal-timing.js';
import { generateCode, generateLinkToken, secretHashes } from './secrets.js';

describe('one-time secrets', () => {
  it('draws 6-digit codes and long URL-safe link tokens', () => {
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(/^[0-9]{6}$/);
    expect(generateLinkToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('hashes a secret per key and per flow', () => {
    const scope = { kind: 'verification', method: 'code', flowId: 'f1' } as const;
    const [a, b] = secretHashes(['k1', 'k2'], scope, '123456');
    expect(a).not.toBe(b);
    expect(secretHashes(['k1'], scope, '123456')).toEqual([a]);
    expect(secretHashes(['k1'], { ...scope, flowId: 'f2' }, '123456')).not.toEqual([a]);
    expect(secretHashes(['k1'], { ...scope, kind: 'recovery' }, '123456')).not.toEqual([a]);
  });
});

describe('withTimingFloor', () => {
  it('answers after the floor whatever the work took, and passes errors on', async () => {
    const started = Date.now();
    expect(await withTimingFloor(50, async () => 'done')).toBe('done');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await expect(
      withTimingFloor(10, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
