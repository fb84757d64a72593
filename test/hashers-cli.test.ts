import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';

describe('portcullis hashers argon2 calibrate', () => {
  it('prints a hashers block with parameters it measured', async () => {
    const result = await runCli([
      'hashers',
      'argon2',
      'calibrate',
      '5ms',
      '--memory',
      '1MB',
      '--runs',
      '1',
      '--format',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const config = JSON.parse(result.stdout) as {
      hashers: { algorithm: string; argon2: Record<string, unknown> };
    };
    expect(config.hashers.algorithm).toBe('argon2');
    expect(config.hashers.argon2).toMatchObject({
      memory: '1MB',
      parallelism: 1,
      salt_length: 16,
      key_length: 32,
    });
    expect(config.hashers.argon2.iterations).toBeGreaterThanOrEqual(1);
    expect(result.stderr).toMatch(/memory 1MB, iterations 1, parallelism 1: [0-9.]+ ms/);
  });

  it('tunes memory with --adjust-memory and prints YAML by default', async () => {
    const result = await runCli([
      'hashers',
      'argon2',
      'calibrate',
      '200ms',
      '--adjust-memory',
      '--memory',
      '1MB',
      '--max-memory',
      '32MB',
      '--runs',
      '1',
      '--quiet',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const config = parse(result.stdout) as { hashers: { argon2: { memory: string; iterations: number } } };
    expect(config.hashers.argon2.iterations).toBe(1);
    // A 1 MB hash takes far less than 200 ms, so memory must have grown (up to the 32 MB cap).
    const memory = /^([0-9]+)MB$/.exec(config.hashers.argon2.memory);
    expect(Number(memory?.[1])).toBeGreaterThan(1);
    expect(Number(memory?.[1])).toBeLessThanOrEqual(32);
  });

  it('shows its size defaults as sizes, and takes Kratos’s flag names as aliases', async () => {
    const help = await runCli(['hashers', 'argon2', 'calibrate', '--help']);
    expect(help.stdout).toMatch(/--memory <size>[\s\S]*\(default: 19MB\)/);
    expect(help.stdout).toMatch(/--max-memory <size>[\s\S]*\(default: 1GB\)/);
    // As Kratos's go-bytesize flags: a size needs its unit, so the help's defaults parse back.
    expect(
      (await runCli(['hashers', 'argon2', 'calibrate', '5ms', '--memory', '19MB', '--runs', '1', '-q'])).code,
    ).toBe(0);
    const plain = await runCli(['hashers', 'argon2', 'calibrate', '5ms', '--memory', '19456']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('with a unit');

    const kratos = await runCli([
      'hashers',
      'argon2',
      'calibrate',
      '5ms',
      '-m',
      '1MB',
      '-i',
      '2',
      '-r',
      '1',
      '--format',
      'json',
    ]);
    expect(kratos.code, kratos.stderr).toBe(0);
    expect(kratos.stderr).toMatch(/memory 1MB, iterations 2, parallelism 1: [0-9.]+ ms/);
    // Kratos's positional is requests per minute; ours is a duration, and the error says so.
    const rpm = await runCli(['hashers', 'argon2', 'calibrate', '60']);
    expect(rpm.code).toBe(2);
    expect(rpm.stderr).toContain('requests per minute');
  });

  it('refuses a bad duration or size with exit 2', async () => {
    expect((await runCli(['hashers', 'argon2', 'calibrate', 'soon'])).code).toBe(2);
    expect((await runCli(['hashers', 'argon2', 'calibrate', '1s', '--memory', 'lots'])).code).toBe(2);
    const lanes = await runCli([
      'hashers',
      'argon2',
      'calibrate',
      '1s',
      '--memory',
      '16KB',
      '--parallelism',
      '4',
    ]);
    expect(lanes.code).toBe(2);
    expect(lanes.stderr).toContain('8 KB per lane');
  });
});
