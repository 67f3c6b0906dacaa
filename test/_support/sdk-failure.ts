/**
 * What an SDK call that must fail failed with: the error's name (AWS's error code), its HTTP status and
 * message, for tests that assert on the code a service answers. A call that succeeds fails the test.
 */
export async function sdkFailure(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error: unknown) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}
