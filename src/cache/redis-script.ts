/**
 * A Lua script run by its SHA1, loaded on first use or after a Redis restart flushed the script cache.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script, sent in full only when Redis does not know it yet. */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` as KEYS and `args` as ARGV. */
  async run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      // EVAL also caches the script, so the next EVALSHA finds it.
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

/** Redis reports an unknown SHA with the error code NOSCRIPT, the first word of the reply. */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
