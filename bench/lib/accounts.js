/**
 * Identities with known passwords, created over the admin API before a login load starts, so the
 * load signs in to accounts that exist with their right passwords (every login verifies one
 * argon2id hash and succeeds).
 */
import { randomBytes } from 'node:crypto';

/**
 * @typedef {object} Account
 * @property {string} identifier  the email, as the login form's `identifier`
 * @property {string} password
 */

/** Creations in flight at once: the server's hash limiter queues the rest anyway. */
const PARALLEL = 4;

/**
 * @param {string} adminUrl
 * @param {number} count
 * @returns {Promise<Account[]>}
 */
export async function createAccounts(adminUrl, count) {
  const run = randomBytes(4).toString('hex');
  const accounts = Array.from({ length: count }, (_, i) => ({
    identifier: `login-${run}-${i}@bench.example`,
    // Long and random: passes the password policy, and no two accounts share one.
    password: `bench passphrase ${randomBytes(12).toString('base64url')}`,
  }));
  let next = 0;
  async function worker() {
    while (next < accounts.length) {
      const account = /** @type {Account} */ (accounts[next++]);
      const response = await fetch(`${adminUrl}/admin/identities`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          schema_id: 'default',
          traits: { email: account.identifier },
          credentials: { password: { config: { password: account.password } } },
        }),
      });
      const text = await response.text();
      if (response.status !== 201) {
        throw new Error(`creating ${account.identifier} answered ${response.status}: ${text}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(PARALLEL, count) }, worker));
  return accounts;
}
