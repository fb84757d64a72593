/**
 * The scenarios import the built server from dist/ (Node 20 cannot run the TypeScript sources
 * directly), so say so plainly when it is missing or older than src/.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** @returns {{ ok: true, warning?: string } | { ok: false, message: string }} */
export function checkDist() {
  const entry = join(root, 'dist', 'app', 'server.js');
  if (!existsSync(entry))
    return { ok: false, message: 'dist/ is missing: run `npm run build && npm run bench`' };
  const built = statSync(entry).mtimeMs;
  const newest = newestMtime(join(root, 'src'));
  if (newest > built) {
    return { ok: true, warning: 'src/ changed after the last build: these figures are for dist/ as built' };
  }
  return { ok: true };
}

/**
 * @param {string} dir
 * @returns {number}
 */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}
