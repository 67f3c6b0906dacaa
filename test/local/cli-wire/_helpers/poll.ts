/** Polls `check` until it returns a value, at most `deadlineMs`; throws naming what it waited for. */
export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  deadlineMs: number,
  intervalMs = 100,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > deadlineMs)
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}
