/**
 * A cookie-keeping HTTP client that behaves like a browser towards one origin: it stores the
 * cookies a response sets, sends them back, and does not follow redirects by itself so a
 * test can assert each hop.
 */
export class BrowserClient {
  readonly #cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  cookieNames(): string[] {
    return [...this.#cookies.keys()];
  }

  async request(
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.origin}${path}`;
    const headers: Record<string, string> = { ...init.headers };
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return response;
  }

  getJson(path: string): Promise<Response> {
    return this.request(path, { headers: { accept: 'application/json' } });
  }

  postJson(path: string, body: unknown): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  postForm(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

/** The hidden csrf_token value of a flow's form. */
export function csrfTokenOf(flow: { ui: { nodes: { attributes: object }[] } }): string {
  const attributes = flow.ui.nodes
    .map((n) => n.attributes as { name?: string; value?: unknown })
    .find((a) => a.name === 'csrf_token');
  if (typeof attributes?.value !== 'string') throw new Error('the flow has no csrf_token node');
  return attributes.value;
}
