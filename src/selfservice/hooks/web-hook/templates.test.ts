import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundHttp } from '../../../kernel/http-client.js';
import { createTemplateSource } from './templates.js';

/** file:// and base64:// templates never reach the network. */
const noHttp: OutboundHttp = {
  request: () => Promise.reject(new Error('no network in this test')),
};

describe('template source', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-templates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a template for an hour, then reads it again', async () => {
    let clock = 0;
    const source = createTemplateSource({ cwd: dir, http: noHttp, now: () => clock });
    await writeFile(join(dir, 'body.jsonnet'), '{ v: 1 }');
    expect(await source.load('file://body.jsonnet')).toBe('{ v: 1 }');

    await writeFile(join(dir, 'body.jsonnet'), '{ v: 2 }');
    clock = 59 * 60_000;
    expect(await source.load('file://body.jsonnet')).toBe('{ v: 1 }');
    clock = 60 * 60_000;
    expect(await source.load('file://body.jsonnet')).toBe('{ v: 2 }');
  });

  it('does not keep a failed load, and decodes base64://', async () => {
    const source = createTemplateSource({ cwd: dir, http: noHttp });
    await expect(source.load('file://missing.jsonnet')).rejects.toThrow();
    await writeFile(join(dir, 'missing.jsonnet'), '{}');
    expect(await source.load('file://missing.jsonnet')).toBe('{}');
    expect(await source.load(`base64://${Buffer.from('{ b: true }').toString('base64')}`)).toBe(
      '{ b: true }',
    );
  });
});
