/**
 * The HTTP status an @ory/client call was answered with, whether it succeeded or failed: what a
 * test checks when only the status matters (a whoami that is 200 until a session is revoked).
 * A call that got no answer (a network error) throws.
 */
export async function statusOf(call: Promise<{ status: number }>): Promise<number> {
  try {
    return (await call).status;
  } catch (error) {
    const response = (error as { response?: { status: number } }).response;
    if (response) return response.status;
    throw error;
  }
}
