import { fromPromise } from 'xstate';

/**
 * A durable timer: the wake-up time is the actor's input, which XState persists with the snapshot, so a
 * restored actor sleeps only for what is left (an `after` delay would be lost: xstate#5331).
 */
export const sleepUntil = fromPromise<void, { until: number }>(
  ({ input, signal }) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, Math.max(0, input.until - Date.now()));
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }),
);
