/**
 * The `selfservice` config the browser-flow suites start from: an app at http://app.example.test
 * that return_to may point into, and passwords without the breach check (no network in tests).
 */

/**
 * `selfservice` with the app's URLs (a flow without return_to ends at /welcome), the password
 * method, and `flows`.
 */
export function appSelfService(flows: Record<string, unknown>): Record<string, unknown> {
  return {
    default_browser_return_url: 'http://app.example.test/welcome',
    allowed_return_urls: ['http://app.example.test/'],
    methods: { password: { config: { haveibeenpwned_enabled: false } } },
    flows,
  };
}
