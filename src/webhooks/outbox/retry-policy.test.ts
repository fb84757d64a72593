import { describe, expect, it } from 'vitest';
import { OutboundHttpError } from '../../kernel/http-client.js';
import {
  DEFAULT_RETRY_POLICY,
  judgeError,
  judgeResponse,
  nextAttemptAt,
  parseRetryAfter,
  retryDelayMs,
} from './retry-policy.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const middle = () => 0.5;

describe('web hook retry policy', () => {
  it.each([200, 201, 204])('counts %i as delivered', (status) => {
    expect(judgeResponse(status, {}, NOW)).toEqual({ kind: 'delivered', status });
  });

  // Redirects are followed before the policy judges; a 3xx left over never counts as delivered.
  it.each([300, 302, 304])('abandons a %i left over after redirects', (status) => {
    expect(judgeResponse(status, {}, NOW)).toEqual({ kind: 'abandon', reason: `status ${status}` });
  });

  it.each([500, 502, 503, 504, 429, 408])('retries %i', (status) => {
    expect(judgeResponse(status, {}, NOW)).toMatchObject({ kind: 'retry', reason: `status ${status}` });
  });

  it.each([400, 401, 403, 404, 409, 410, 422])('abandons %i', (status) => {
    expect(judgeResponse(status, {}, NOW)).toEqual({ kind: 'abandon', reason: `status ${status}` });
  });

  it('reads Retry-After on 429 and 503, in seconds or as a date', () => {
    expect(judgeResponse(429, { 'retry-after': '120' }, NOW)).toMatchObject({ retryAfterMs: 120_000 });
    expect(judgeResponse(503, { 'retry-after': 'Mon, 01 Jun 2026 12:01:00 GMT' }, NOW)).toMatchObject({
      retryAfterMs: 60_000,
    });
    expect(judgeResponse(500, { 'retry-after': '120' }, NOW)).not.toHaveProperty('retryAfterMs');
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
  });

  it('retries timeouts, connection errors and refused addresses, abandons what cannot succeed', () => {
    const error = (kind: OutboundHttpError['kind'], extra: { code?: string; status?: number } = {}) =>
      judgeError(new OutboundHttpError(kind, 'x', extra), NOW);
    expect(error('timeout')).toEqual({ kind: 'retry', reason: 'timeout' });
    expect(error('connection', { code: 'ECONNREFUSED' })).toEqual({
      kind: 'retry',
      reason: 'connection ECONNREFUSED',
    });
    expect(error('blocked_address')).toEqual({ kind: 'retry', reason: 'blocked_address' });
    expect(error('invalid_url')).toEqual({ kind: 'abandon', reason: 'invalid_url' });
    expect(error('response_too_large', { status: 200 })).toEqual({ kind: 'delivered', status: 200 });
    expect(error('response_too_large', { status: 502 })).toMatchObject({ kind: 'retry' });
  });

  it('doubles the wait from the base, capped, and gives up after maxAttempts: about an hour', () => {
    const waits = Array.from({ length: DEFAULT_RETRY_POLICY.maxAttempts - 1 }, (_, i) =>
      retryDelayMs(i + 1, DEFAULT_RETRY_POLICY, middle),
    );
    expect(waits).toEqual([15, 30, 60, 120, 240, 480, 900, 900, 900].map((s) => s * 1000));
    const total = waits.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(55 * 60_000);
    expect(total).toBeLessThan(65 * 60_000);
    const retry = { kind: 'retry', reason: 'status 500' } as const;
    expect(nextAttemptAt(retry, 10, DEFAULT_RETRY_POLICY, NOW)).toBeNull();
    expect(nextAttemptAt(retry, 1, DEFAULT_RETRY_POLICY, NOW, middle)).toEqual(
      new Date(NOW.getTime() + 15_000),
    );
  });

  it('spreads each wait by ±20 %', () => {
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 0)).toBe(12_000);
    expect(retryDelayMs(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(18_000);
  });

  it('waits as long as Retry-After asks, up to the longest step', () => {
    const policy = DEFAULT_RETRY_POLICY;
    const retryAt = (ms: number) =>
      nextAttemptAt({ kind: 'retry', reason: 'status 429', retryAfterMs: ms }, 1, policy, NOW, middle);
    expect(retryAt(120_000)).toEqual(new Date(NOW.getTime() + 120_000));
    expect(retryAt(86_400_000)).toEqual(new Date(NOW.getTime() + policy.maxDelayMs));
    expect(retryAt(1_000)).toEqual(new Date(NOW.getTime() + 15_000));
  });
});
