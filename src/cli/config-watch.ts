import { createHash } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from '../kernel/logger.js';

/** How often the files are looked at: stat polling, which follows a ConfigMap's symlink swap. */
const POLL_MS = 2_000;

function digestOf(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * Portcullis applies its config when it starts. Kratos and Oathkeeper watch their config files
 * and apply most changes live (everything but `serve`, `log` and `profiling`); until Portcullis
 * does, a changed file is said in the log, at warning level, rather than silently ignored, so an
 * edited Kubernetes ConfigMap is not mistaken for an applied one: restart (roll the pods) to apply
 * it. Files are polled by stat, which sees a ConfigMap's atomic symlink swap where an inotify
 * watch on the old file would not. Returns the function that stops watching.
 */
export function warnOnConfigChange(files: readonly string[], logger: Logger, pollMs = POLL_MS): () => void {
  const paths = files.map((file) => resolve(file));
  for (const path of paths) {
    let known = digestOf(path);
    watchFile(path, { interval: pollMs, persistent: false }, () => {
      const now = digestOf(path);
      if (now === known) return;
      known = now;
      logger.warn(
        { file: path },
        'the config file changed; Portcullis applies its config at start only: restart to apply the change',
      );
    });
  }
  return () => {
    for (const path of paths) unwatchFile(path);
  };
}
