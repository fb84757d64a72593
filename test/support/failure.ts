/** The status and body of a failed @ory/client call; throws when the call succeeds. */
export async function failure<T = Record<string, unknown>>(
  call: Promise<unknown>,
): Promise<{ status: number; body: T }> {
  try {
    await call;
  } catch (error) {
    const response = (error as { response?: { status: number; data: T } }).response;
    if (response) return { status: response.status, body: response.data };
    throw error;
  }
  throw new Error('expected the call to fail');
}
