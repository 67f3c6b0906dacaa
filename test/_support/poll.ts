/**
 * The one poll helper: calls `check` until it returns a value other than `undefined`, at most
 * `deadlineMs`, and throws naming what it waited for. A timeout here is a hang detector, never a
 * performance assertion (docs/testing.md).
 */
export interface PollOptions {
  /** From the first call; default 10 s. */
  readonly deadlineMs?: number;
  /** Between the end of one call and the next; default 100 ms. */
  readonly intervalMs?: number;
  /** Treat a throwing `check` as "not yet" (its last error is quoted on timeout) instead of failing at once. */
  readonly retryErrors?: boolean;
  /** Appended to the timeout message: what the thing polled looked like last. */
  readonly detail?: () => string;
}

export async function until<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  options: number | PollOptions = {},
  intervalMs?: number,
): Promise<T> {
  const o: PollOptions = typeof options === 'number' ? { deadlineMs: options, intervalMs } : options;
  const deadlineMs = o.deadlineMs ?? 10_000;
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error: unknown) {
      if (o.retryErrors !== true) throw error;
      last = error;
    }
    if (Date.now() - start > deadlineMs) {
      const cause = last instanceof Error ? `: ${last.message}` : '';
      const detail = o.detail === undefined ? '' : `\n${o.detail()}`;
      throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${cause}${detail}`);
    }
    await new Promise((done) => setTimeout(done, o.intervalMs ?? 100));
  }
}
