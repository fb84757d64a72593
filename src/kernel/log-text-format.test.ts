import { describe, expect, it } from 'vitest';
import { formatLogLine } from './log-text-format.js';

describe('formatLogLine', () => {
  it('renders pino JSON as logfmt with Kratos level names', () => {
    const line = JSON.stringify({
      level: 40,
      time: '2026-01-01T00:00:00.000Z',
      msg: 'disk almost full',
      service: 'portcullis',
      free: 3,
      path: '/var/lib',
    });
    expect(formatLogLine(line)).toBe(
      'time=2026-01-01T00:00:00.000Z level=warning msg="disk almost full" free=3 path=/var/lib',
    );
  });

  it('quotes values with spaces and serialises objects', () => {
    const line = JSON.stringify({ level: 30, time: 't', msg: 'x', req: { method: 'GET' } });
    expect(formatLogLine(line)).toBe('time=t level=info msg=x req="{\\"method\\":\\"GET\\"}"');
  });

  it('passes through what is not JSON', () => {
    expect(formatLogLine('plain')).toBe('plain');
  });
});
