/**
 * The shared tier on Redis: entries are strings under `<prefix><namespace>:<key>` with a PX
 * expiry, invalidation leaves a short tombstone in their place, and invalidations are broadcast
 * on one pub/sub channel.
 */
import type { Redis } from 'ioredis';
import { startInvalidationBus } from './invalidation-bus.js';
import { encodeInvalidation, HEARTBEAT_TEXT } from './invalidation-message.js';
import { type ConnectionSettings, closeConnection, openConnection } from './redis-connections.js';
import { RedisScript } from './redis-script.js';
import type { InvalidationListener, SharedEntry, SharedTier } from './shared-tier.js';

/**
 * Stored in place of an invalidated entry. The NUL byte keeps it apart from anything JSON (or a
 * sane codec) produces.
 */
const TOMBSTONE_TEXT = '\u0000portcullis:cache:tombstone';

// The scripts compare against the tombstone inside Redis so that a check and the write it guards
// cannot be split by another client's command.
const READ = new RedisScript(`
local value = redis.call('GET', KEYS[1])
if not value or value == ARGV[1] then return false end
return { value, redis.call('PTTL', KEYS[1]) }
`);

const WRITE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

const INVALIDATE = new RedisScript(`
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
end
return redis.call('PUBLISH', ARGV[3], ARGV[4])
`);

/** Where the Redis tier keeps its data and sends its messages. */
export interface RedisTierSettings extends ConnectionSettings {
  keyPrefix: string;
  channel: string;
  tombstoneTtlMs: number;
  heartbeatIntervalMs: number;
  subscriberSilenceMs: number;
}

/**
 * Opens the command and subscriber connections and resolves once each has either connected or
 * failed a first time: a Redis that is down at startup leaves the cache degraded, not broken.
 */
export async function connectRedisSharedTier(
  settings: RedisTierSettings,
  listener: InvalidationListener,
): Promise<SharedTier> {
  const commands = openConnection(settings, 'cmd');
  const subscriber = openConnection(settings, 'sub');
  const [bus] = await Promise.all([
    startInvalidationBus(subscriber, settings.channel, listener, settings.logger, {
      publish: () => commands.publish(settings.channel, HEARTBEAT_TEXT),
      intervalMs: settings.heartbeatIntervalMs,
      silenceMs: settings.subscriberSilenceMs,
    }),
    firstOutcome(commands),
  ]);
  const redisKey = (namespace: string, key: string): string => `${settings.keyPrefix}${namespace}:${key}`;

  return {
    async read(namespace, key) {
      return toEntry(await READ.run(commands, [redisKey(namespace, key)], [TOMBSTONE_TEXT]));
    },
    async write(namespace, key, text, ttlMs) {
      const reply = await WRITE.run(commands, [redisKey(namespace, key)], [text, ttlMs, TOMBSTONE_TEXT]);
      return reply === 1;
    },
    async invalidate(namespace, keys) {
      await INVALIDATE.run(
        commands,
        keys.map((key) => redisKey(namespace, key)),
        [TOMBSTONE_TEXT, settings.tombstoneTtlMs, settings.channel, encodeInvalidation(namespace, keys)],
      );
    },
    async healthy() {
      if (!bus.live) return false;
      return commands.ping().then(
        () => true,
        () => false,
      );
    },
    async close() {
      bus.stop();
      await Promise.all([closeConnection(commands), closeConnection(subscriber)]);
    },
  };
}

/** The READ script's reply as an entry. */
function toEntry(reply: unknown): SharedEntry | undefined {
  if (reply === null) return undefined;
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'number') {
    throw new TypeError('unexpected reply from the cache read script');
  }
  // PTTL is -1 for a key without expiry (never written by us, but possible by hand).
  return { text: reply[0], ttlMs: reply[1] < 0 ? Number.POSITIVE_INFINITY : reply[1] };
}

/** Resolves when the connection is ready or has failed once. */
function firstOutcome(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  });
}
