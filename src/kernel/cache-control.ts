/** What keeps an answer out of shared and browser caches: it carries a session or personal data. */
export const PRIVATE_NO_STORE = 'private, no-store';
