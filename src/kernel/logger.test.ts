import { describe, expect, it } from 'vitest';
import { DeferredChildLogger } from './logger.js';
import { captureLogs as capture } from './testing/log-capture.js';

describe('DeferredChildLogger', () => {
  it('builds the pino child only when a line passes the level, and writes what the child would', () => {
    const { logger, lines } = capture('info');
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof child>) => {
      children++;
      return child(...args);
    }) as typeof logger.child;

    const deferred = new DeferredChildLogger(logger, { reqId: 'req-1' });
    deferred.debug('dropped');
    deferred.trace({ a: 1 }, 'dropped');
    expect(children).toBe(0);
    expect(deferred.level).toBe('info');
    expect(deferred.isLevelEnabled('debug')).toBe(false);
    expect(deferred.isLevelEnabled('info')).toBe(true);

    deferred.info({ a: 1 }, 'kept');
    deferred.warn('also kept');
    expect(children).toBe(1);
    expect(lines).toMatchObject([
      { level: 30, reqId: 'req-1', a: 1, msg: 'kept' },
      { level: 40, reqId: 'req-1', msg: 'also kept' },
    ]);
  });

  it('honours a level of its own (a route logLevel)', () => {
    const { logger, lines } = capture('info');
    const deferred = new DeferredChildLogger(logger, { reqId: 'req-2' }, { level: 'warn' });
    deferred.info('dropped');
    deferred.error('kept');
    expect(deferred.level).toBe('warn');
    expect(lines).toMatchObject([{ level: 50, reqId: 'req-2', msg: 'kept' }]);
  });
});
