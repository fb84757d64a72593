import { describe, expect, it } from 'vitest';
import { parseGoTime, reconcileRecoveryAddresses, reconcileVerifiableAddresses } from './addresses.js';
import type { RecoveryAddress, VerifiableAddress } from './model.js';

const then = new Date('2024-01-01T00:00:00Z');
const now = new Date('2024-06-01T00:00:00Z');

describe('address reconciliation across spellings', () => {
  it('keeps a verified phone address stored before E.164, under its E.164 value', () => {
    // What the earlier separator-stripping normalisation stored for "+44 (0)20 7946 0958".
    const stored: VerifiableAddress = {
      id: 'a1',
      value: '+4402079460958',
      via: 'sms',
      verified: true,
      verified_at: then,
      status: 'completed',
      created_at: then,
      updated_at: then,
    };
    const [address] = reconcileVerifiableAddresses(
      [{ value: '+442079460958', via: 'sms' }],
      [stored],
      [],
      now,
    );
    expect(address).toEqual({ ...stored, value: '+442079460958', updated_at: now });
  });

  it('applies an import written in another spelling of the same number', () => {
    const [address] = reconcileVerifiableAddresses(
      [{ value: '+442079460958', via: 'sms' }],
      [],
      [{ value: '+44 20 7946 0958', via: 'sms', verified: true }],
      now,
    );
    expect(address).toMatchObject({ value: '+442079460958', verified: true, status: 'completed' });
  });

  it('keeps a recovery address by id when only its spelling changed', () => {
    const stored: RecoveryAddress = {
      id: 'r1',
      value: '+4402079460958',
      via: 'sms',
      created_at: then,
      updated_at: then,
    };
    expect(reconcileRecoveryAddresses([{ value: '+442079460958', via: 'sms' }], [stored], now)).toEqual([
      { ...stored, value: '+442079460958', updated_at: now },
    ]);
    // Unchanged addresses are returned as they are.
    const email: RecoveryAddress = {
      id: 'r2',
      value: 'a@x.org',
      via: 'email',
      created_at: then,
      updated_at: then,
    };
    expect(reconcileRecoveryAddresses([{ value: 'a@x.org', via: 'email' }], [email], now)).toEqual([email]);
  });
});

describe('parseGoTime, as Go decodes a time.Time from JSON', () => {
  it('reads RFC 3339 date-times, offsets and fractions', () => {
    expect(parseGoTime('2020-01-02T03:04:05Z')?.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(parseGoTime('2020-01-02T03:04:05.123456789+02:00')?.toISOString()).toBe(
      '2020-01-02T01:04:05.123Z',
    );
    expect(parseGoTime('0099-12-31T23:59:59-00:30')?.toISOString()).toBe('0100-01-01T00:29:59.000Z');
  });

  it('refuses what Go refuses, where a Date would roll over or fail', () => {
    for (const text of [
      'garbage',
      '',
      '2020-01-02',
      '2020-01-02 03:04:05Z',
      '2020-01-02T03:04:05',
      '2020-13-01T00:00:00Z',
      '2021-02-29T00:00:00Z',
      '2020-01-02T24:00:00Z',
      '2020-01-02T23:59:60Z',
      '2020-01-02T03:04:05+24:00',
    ]) {
      expect(parseGoTime(text), text).toBeUndefined();
    }
  });

  it('keeps an invalid imported verified_at out of the store: a 400, never an Invalid Date', () => {
    expect(() =>
      reconcileVerifiableAddresses(
        [{ value: 'a@example.com', via: 'email' }],
        [],
        [{ value: 'a@example.com', via: 'email', verified: true, verified_at: 'garbage' }],
        now,
      ),
    ).toThrow(expect.objectContaining({ code: 400 }));
  });
});
