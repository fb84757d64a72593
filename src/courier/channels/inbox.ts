import type { Channel } from './channel.js';

/**
 * The dev inbox (`--dev` with no SMTP server configured): delivering only marks the message
 * sent by channel `inbox`; the built-in UI and the admin API show it from the outbox.
 */
export function createInboxChannel(): Channel {
  return {
    id: 'inbox',
    async deliver() {
      return { ok: true };
    },
    async close() {},
  };
}
