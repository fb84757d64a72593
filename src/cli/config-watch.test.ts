import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { warnOnConfigChange } from './config-watch.js';

describe('warnOnConfigChange', () => {
  let stop: (() => void) | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    stop?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('warns once per change of content, also when the file is replaced as a ConfigMap does', async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-watch-'));
    const file = join(dir, 'kratos.yml');
    await writeFile(file, 'dsn: memory\n');
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    stop = warnOnConfigChange([file], logger, 20);
    const waitFor = async (count: number) => {
      for (let i = 0; i < 200 && lines.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await writeFile(file, 'dsn: memory\nlog: {level: debug}\n');
    await waitFor(1);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      file,
      msg: expect.stringContaining('restart to apply'),
    });
    // Replaced by rename (a new inode), as kubelet swaps a ConfigMap's files.
    await writeFile(join(dir, 'next.yml'), 'dsn: sqlite://./x.sqlite\n');
    await rename(join(dir, 'next.yml'), file);
    await waitFor(2);
    expect(lines).toHaveLength(2);
    // Touched without a change of content: nothing to say.
    await writeFile(file, 'dsn: sqlite://./x.sqlite\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(lines).toHaveLength(2);
  });
});
