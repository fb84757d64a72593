/**
 * The bundled list of common passwords (zxcvbn-ts's `passwords-common`, about 49k entries from
 * leaked-password corpora), checked without any network so the policy refuses `password` and
 * `qwerty123` even when the breach lookup is off or unreachable.
 */

let loading: Promise<ReadonlySet<string>> | undefined;

/**
 * Loads the list once, on first use: the module and its Set cost about 50 ms and 10 MB, which
 * a process that never registers anyone should not pay.
 */
function commonPasswords(): Promise<ReadonlySet<string>> {
  loading ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common']),
    (error: unknown) => {
      // Let the next call try again rather than caching the failure for the life of the process.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** Whether the password is on the list. Case-insensitive: the list is lower-case. */
export async function isCommonPassword(password: string): Promise<boolean> {
  return (await commonPasswords()).has(password.toLowerCase());
}

/** Loads the list now, so the first registration after start does not wait for it. */
export async function preloadCommonPasswords(): Promise<void> {
  await commonPasswords();
}
