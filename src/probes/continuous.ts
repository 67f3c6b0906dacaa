/**
 * A continuous probe: batches through the load balancer one after another, at an interval, for as
 * long as something needs them (a stage from its action to its verdict, an experiment's continuous
 * probe, a stop condition). Every batch is handed to `onBatch` (which emits it) and kept, so a check
 * can read the batches since it began (`next`) and the whole window's totals (`batches`).
 */
import type { ProbeSample } from '../events.ts';
import { type Batch, type Get, probeBatch } from './batch.ts';

export interface ContinuousProbeOptions {
  readonly probe: string;
  readonly url: string;
  readonly batchSize: number;
  readonly timeoutMs: number;
  /** Pause between the end of one batch and the start of the next. */
  readonly intervalMs: number;
  readonly get: Get;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  onBatch(batch: Batch): void;
  /** Stops the probe at once when it aborts (Ctrl+C: observations stop at once). */
  readonly signals?: readonly (AbortSignal | undefined)[];
  readonly now?: () => number;
}

export interface ContinuousProbe {
  /** The next batch taken after this call; rejects once the probe has stopped. */
  next(): Promise<Batch>;
  /** Every batch so far, oldest first. */
  readonly samples: readonly ProbeSample[];
  readonly stopped: boolean;
  /** Stops the loop (the batch on the wire is dropped) and waits until it has ended. */
  stop(): Promise<void>;
}

export class ProbeStoppedError extends Error {
  constructor() {
    super('the probe stopped');
  }
}

export function startContinuousProbe(options: ContinuousProbeOptions): ContinuousProbe {
  const controller = new AbortController();
  const samples: ProbeSample[] = [];
  let waiters: { resolve(b: Batch): void; reject(e: Error): void }[] = [];
  const onOuterAbort = () => controller.abort();
  const outer = (options.signals ?? []).filter((s): s is AbortSignal => s !== undefined);
  for (const s of outer) {
    if (s.aborted) controller.abort();
    else s.addEventListener('abort', onOuterAbort, { once: true });
  }
  const stopWaiters = () => {
    const pending = waiters;
    waiters = [];
    for (const w of pending) w.reject(new ProbeStoppedError());
  };
  controller.signal.addEventListener('abort', stopWaiters, { once: true });

  const loop = (async () => {
    while (!controller.signal.aborted) {
      const batch = await probeBatch({
        probe: options.probe,
        url: options.url,
        size: options.batchSize,
        timeoutMs: options.timeoutMs,
        get: options.get,
        signal: controller.signal,
        ...(options.now === undefined ? {} : { now: options.now }),
      });
      if (controller.signal.aborted) break;
      samples.push(batch.sample);
      options.onBatch(batch);
      const pending = waiters;
      waiters = [];
      for (const w of pending) w.resolve(batch);
      try {
        await options.sleep(options.intervalMs, controller.signal);
      } catch {
        break;
      }
    }
  })().finally(() => {
    for (const s of outer) s.removeEventListener('abort', onOuterAbort);
    stopWaiters();
  });

  return {
    next: () =>
      controller.signal.aborted
        ? Promise.reject(new ProbeStoppedError())
        : new Promise<Batch>((resolve, reject) => waiters.push({ resolve, reject })),
    samples,
    get stopped() {
      return controller.signal.aborted;
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
