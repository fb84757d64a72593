import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fresh temporary directory per test, removed by `cleanup`. */
export interface TempDir {
  readonly path: string;
  /** Writes `content` to `name` inside the directory and returns the absolute path. */
  write(name: string, content: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** Creates a temporary directory with `fs.mkdtemp`. */
export async function makeTempDir(prefix = 'portcullis-config-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async write(name, content) {
      const file = join(path, name);
      await writeFile(file, content);
      return file;
    },
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

/** Absolute path of a fixture file shipped beside the tests. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}
