import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BreachLookup } from './breach-lookup.js';
import { type PasswordPolicyConfig, resolvePasswordPolicyConfig } from './config.js';
import { createHibpClient } from './hibp-client.js';
import type { PasswordPolicyResult } from './result.js';
import { closedPort, type HibpStandIn, sha1Hex, startHibpStandIn } from './testing/hibp-stand-in.js';
import { type PasswordPolicyLogger, validatePassword, validatePasswordForIdentifiers } from './validate.js';

const IDENTIFIER = 'ada@example.com';
const GOOD = 'violet-harbour-lantern-92';

/** Records what the policy logs. */
function recordingLogger() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const logger: PasswordPolicyLogger = { warn: (fields, message) => lines.push({ fields, message }) };
  return { logger, lines };
}

/** The policy with the breach lookup off: no network at all. */
const offline = resolvePasswordPolicyConfig({ haveibeenpwned_enabled: false });
/** The breach lookup of the offline tests: reaching it fails the test. */
const unused: BreachLookup = {
  count: () => {
    throw new Error('the offline policy must not look up breaches');
  },
};

function check(password: string, identifier = IDENTIFIER, config: PasswordPolicyConfig = offline) {
  return validatePassword({ identifier, password }, config, { breaches: unused });
}

function violation(result: PasswordPolicyResult) {
  if (result.ok || result.kind !== 'violation')
    throw new Error(`expected a violation, got ${JSON.stringify(result)}`);
  return result.reason;
}

describe('validatePassword: length', () => {
  it('refuses a short password with 4000032 and its context', async () => {
    expect(violation(await check('abcde'))).toEqual({
      kind: 'too_short',
      message: {
        id: 4000032,
        text: 'The password must be at least 8 characters long, but got 5.',
        type: 'error',
        context: { min_length: 8, actual_length: 5 },
      },
    });
  });

  it('accepts exactly the minimum length', async () => {
    expect(await check('l3f9toh1')).toEqual({ ok: true });
  });

  it('follows min_password_length', async () => {
    const config = resolvePasswordPolicyConfig({ haveibeenpwned_enabled: false, min_password_length: 10 });
    // Kratos's TestChangeMinPasswordLength.
    expect(await check('kuobahcaas', '', config)).toEqual({ ok: true });
    expect(violation(await check('rfqyfjied', '', config)).message).toMatchObject({
      id: 4000032,
      context: { min_length: 10, actual_length: 9 },
    });
  });

  it('counts an emoji as one character', async () => {
    const sevenEmoji = '🦊🐙🌵🚲🧭🎻🪁';
    expect(sevenEmoji.length).toBe(14);
    expect(violation(await check(sevenEmoji)).message).toMatchObject({
      id: 4000032,
      context: { min_length: 8, actual_length: 7 },
    });
    expect(await check(`${sevenEmoji}🪐`)).toEqual({ ok: true });
  });

  it('accepts 4096 characters and refuses 4097 with 4000033, without truncating', async () => {
    const long = (n: number) => 'x7Kq'.repeat(1025).slice(0, n);
    expect(await check(long(4096))).toEqual({ ok: true });
    expect(violation(await check(long(4097)))).toEqual({
      kind: 'too_long',
      message: {
        id: 4000033,
        text: 'The password must be at most 4096 characters long, but got 4097.',
        type: 'error',
        context: { max_length: 4096, actual_length: 4097 },
      },
    });
  });

  it('counts the maximum in code points too', async () => {
    expect(await check('🌵'.repeat(4096))).toEqual({ ok: true });
    expect(violation(await check('🌵'.repeat(4097))).kind).toBe('too_long');
  });
});

describe('validatePassword: similarity', () => {
  it('refuses the identifier and a case variant with 4000031 and no context', async () => {
    const expected = {
      kind: 'too_similar',
      message: {
        id: 4000031,
        text: 'The password can not be used because it is too similar to the identifier.',
        type: 'error',
      },
    };
    expect(violation(await check('ada@example.com'))).toEqual(expected);
    expect(violation(await check('ADA@EXAMPLE.COM1'))).toEqual(expected);
  });

  it('accepts a clearly different password', async () => {
    expect(await check(GOOD)).toEqual({ ok: true });
  });

  it('skips the check for an empty identifier, as Kratos does', async () => {
    expect(await check('bosqwfaxee', '')).toEqual({ ok: true });
  });

  it('follows identifier_similarity_check_enabled', async () => {
    // Kratos's TestChangeIdentifierSimilarityCheckEnabled.
    const off = resolvePasswordPolicyConfig({
      haveibeenpwned_enabled: false,
      identifier_similarity_check_enabled: false,
    });
    expect(await check('bosqwfaxee', 'bosqwfaxee', off)).toEqual({ ok: true });
    expect(violation(await check('bosqwfaxee', 'bosqwfaxee')).kind).toBe('too_similar');
  });
});

describe('validatePasswordForIdentifiers', () => {
  const against = (identifiers: string[], password: string) =>
    validatePasswordForIdentifiers(identifiers, password, offline, { breaches: unused });

  it('compares the password with every identifier, as Kratos, not only the first', async () => {
    expect(violation(await against(['frank@example.com', 'zedthetester99'], 'zedthetester99')).kind).toBe(
      'too_similar',
    );
    expect(violation(await against(['gina@example.com', 'ginaxx'], 'gina@example.com')).kind).toBe(
      'too_similar',
    );
  });

  it('accepts a password unlike each identifier', async () => {
    expect(await against(['ada@example.com', 'ada'], GOOD)).toEqual({ ok: true });
  });
});

describe('validatePassword: common passwords', () => {
  it.each(['password', 'qwerty123', '12345678', 'qwertyui', '1234567890', 'PASSWORD'])(
    'refuses %s with 4000034 (Kratos refuses these through the breach lookup)',
    async (password) => {
      expect(violation(await check(password, ''))).toEqual({
        kind: 'common',
        message: {
          id: 4000034,
          text: 'The password has been found in data breaches and must no longer be used.',
          type: 'error',
        },
      });
    },
  );

  it('is checked without the breach lookup being enabled', async () => {
    expect(offline.haveibeenpwned_enabled).toBe(false);
    expect(violation(await check('iloveyou', '')).kind).toBe('common');
  });
});

describe('validatePassword: Have I Been Pwned', () => {
  let standIn: HibpStandIn;
  let breaches: BreachLookup;
  beforeEach(async () => {
    standIn = await startHibpStandIn();
    breaches = createHibpClient();
  });
  afterEach(async () => {
    await standIn.close();
  });

  const config = (overrides: Partial<PasswordPolicyConfig> = {}) =>
    resolvePasswordPolicyConfig({ haveibeenpwned_host: standIn.origin, ...overrides });
  const run = (password: string, cfg: PasswordPolicyConfig, deps: { logger?: PasswordPolicyLogger } = {}) =>
    validatePassword({ identifier: IDENTIFIER, password }, cfg, { breaches, ...deps });

  it('refuses a password seen more than max_breaches times with 4000034 and the count', async () => {
    standIn.breach(GOOD, 6);
    expect(violation(await run(GOOD, config({ max_breaches: 5 })))).toEqual({
      kind: 'breached',
      message: {
        id: 4000034,
        text: 'The password has been found in data breaches and must no longer be used.',
        type: 'error',
        context: { breaches: 6 },
      },
    });
  });

  it('accepts a password seen exactly max_breaches times, or fewer', async () => {
    standIn.breach(GOOD, 5);
    expect(await run(GOOD, config({ max_breaches: 5 }))).toEqual({ ok: true });
    expect(await run(GOOD, config({ max_breaches: 100 }))).toEqual({ ok: true });
  });

  it('refuses a password seen once with the default max_breaches of 0', async () => {
    standIn.breach(GOOD, 1);
    expect(violation(await run(GOOD, config())).message).toMatchObject({
      id: 4000034,
      context: { breaches: 1 },
    });
  });

  it('accepts a password whose suffix is not in the range', async () => {
    expect(await run(GOOD, config())).toEqual({ ok: true });
    expect(standIn.requests).toHaveLength(1);
  });

  it('sends only /range/ and the first 5 hex characters of the SHA-1', async () => {
    await run(GOOD, config());
    const hash = sha1Hex(GOOD);
    expect(standIn.requests.map((r) => r.url)).toEqual([`/range/${hash.slice(0, 5)}`]);
    const sent = JSON.stringify(standIn.requests).toUpperCase();
    expect(sent).not.toContain(GOOD.toUpperCase());
    expect(sent).not.toContain(hash.slice(5));
  });

  it('makes no second request for a password it has just checked', async () => {
    await run(GOOD, config());
    await run(GOOD, config());
    expect(standIn.requests).toHaveLength(1);
  });

  it('does not call the lookup when haveibeenpwned_enabled is false', async () => {
    standIn.breach(GOOD, 1000);
    expect(await run(GOOD, config({ haveibeenpwned_enabled: false }))).toEqual({ ok: true });
    expect(standIn.requests).toHaveLength(0);
  });

  it('does not call the lookup for a password refused earlier', async () => {
    await run('short', config());
    await run('password', config());
    await run(IDENTIFIER, config());
    expect(standIn.requests).toHaveLength(0);
  });

  describe('when the lookup fails', () => {
    it('accepts and logs with ignore_network_errors true (the default)', async () => {
      const { logger, lines } = recordingLogger();
      const down = resolvePasswordPolicyConfig({
        haveibeenpwned_host: `http://127.0.0.1:${await closedPort()}`,
      });
      expect(down.ignore_network_errors).toBe(true);
      expect(await run(GOOD, down, { logger })).toEqual({ ok: true });
      expect(lines).toHaveLength(1);
      expect(lines[0]?.fields).toMatchObject({ code: 'network' });
    });

    it('refuses with the lookup error with ignore_network_errors false', async () => {
      const down = resolvePasswordPolicyConfig({
        haveibeenpwned_host: `http://127.0.0.1:${await closedPort()}`,
        ignore_network_errors: false,
      });
      const result = await run(GOOD, down);
      expect(result.ok).toBe(false);
      if (!result.ok && result.kind === 'lookup_failed') expect(result.error.code).toBe('network');
      else throw new Error(`expected lookup_failed, got ${JSON.stringify(result)}`);
    });

    it('treats a non-200 answer the same way', async () => {
      standIn.setMode({ kind: 'status', status: 500 });
      expect(await run(GOOD, config())).toEqual({ ok: true });
      const strict = await run(GOOD, config({ ignore_network_errors: false }));
      expect(!strict.ok && strict.kind === 'lookup_failed' && strict.error.status).toBe(500);
    });

    it('never logs the password', async () => {
      const { logger, lines } = recordingLogger();
      standIn.setMode({ kind: 'status', status: 503 });
      await run(GOOD, config(), { logger });
      expect(JSON.stringify(lines).toUpperCase()).not.toContain(GOOD.toUpperCase());
      expect(JSON.stringify(lines)).not.toContain(sha1Hex(GOOD).slice(0, 5));
    });
  });
});
