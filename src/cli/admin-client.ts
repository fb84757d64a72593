/**
 * A minimal client of the admin API for the CLI commands. The CLI talks HTTP like Kratos's
 * does, so it works against any replica, never reaching into the database.
 */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const error = (body as { error?: { message?: string; reason?: string } } | undefined)?.error;
    super(`${status}: ${[error?.message, error?.reason].filter(Boolean).join(' — ') || 'request failed'}`);
  }
}

export function resolveEndpoint(flag: string | undefined): string {
  const endpoint =
    flag ?? process.env.PORTCULLIS_ADMIN_URL ?? process.env.KRATOS_ADMIN_URL ?? 'http://127.0.0.1:4434';
  return endpoint.replace(/\/+$/, '');
}

export async function adminRequest(
  endpoint: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new Error(`cannot reach the admin API at ${endpoint}: ${(error as Error).message}`);
  }
  const text = await response.text();
  const data: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) throw new AdminApiError(response.status, data);
  return { status: response.status, data, headers: response.headers };
}
