import { fromPromise } from 'xstate';
import type { StepInput, StepResult } from '../../machines/step-kit.ts';
import { awsErrorCode, isTransient } from '../aws/errors.ts';
import type { Aws } from '../aws/index.ts';
import type { Ledger } from '../checkpoint/store.ts';
import type { GetView, RunEvent } from '../events.ts';
import type { ResourceNames } from '../names.ts';

/** Everything a step needs, injected: no step imports fs, the SDK or a clock of its own. */
export interface StepDeps {
  readonly aws: Aws;
  readonly ledger: Ledger;
  readonly names: ResourceNames;
  readonly target: 'local' | 'aws';
  readonly region: string;
  emit(event: RunEvent): void;
  /** The launch template's user data (plain text; the step base64-encodes it). */
  userData(): string;
  /** One GET with a timeout; never throws (a failure is a `GetView` of kind `error`). */
  get(url: string, timeoutMs: number): Promise<GetView>;
  /** The caller's public IP, for the ingress offer on AWS. */
  callerIp(): Promise<string | undefined>;
  /** Multiplies polling intervals (the local cloud runs faster than AWS). */
  readonly timeScale: number;
  /**
   * The run's first Ctrl+C. A step that chains several mutating calls (the demo's stage 4: swap a
   * profile, then reboot) lets the call in flight finish and makes no further one once it aborts.
   */
  readonly interrupt?: AbortSignal | undefined;
  /** Sleeps, abortable. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export type StepFn<F> = (input: StepInput<F>, signal: AbortSignal) => Promise<StepResult<F>>;

export const done = <F>(facts?: Partial<F>): StepResult<F> =>
  facts === undefined ? { outcome: 'done' } : { outcome: 'done', facts };

/** A wait that is not over yet: retry, unless the step's deadline has passed. */
export const notYet = <F>(input: StepInput<F>, reason: string): StepResult<F> =>
  Date.now() >= input.deadline
    ? { outcome: 'timeout', reason: `timed out: ${reason}` }
    : { outcome: 'retry', reason };

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, Math.max(0, ms));
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * Runs a step and turns a transient cloud error (throttling that outlived the SDK's own retries, a 5xx,
 * a dropped connection) into a wait: the machine backs off and the idempotent step runs again, within
 * the step's deadline. Anything else still fails the step.
 */
export async function runStep<F>(
  fn: StepFn<F>,
  input: StepInput<F>,
  signal: AbortSignal,
): Promise<StepResult<F>> {
  try {
    return await fn(input, signal);
  } catch (error: unknown) {
    if (signal.aborted || !isTransient(error)) throw error;
    return notYet(input, `transient cloud error ${awsErrorCode(error) ?? String(error)}`);
  }
}

/** A machine's steps as its named actors, each run through `runStep`. */
export function asActors<F, S extends string>(steps: Record<S, StepFn<F>>) {
  return Object.fromEntries(
    Object.entries<StepFn<F>>(steps).map(([name, fn]) => [
      name,
      fromPromise<StepResult<F>, StepInput<F>>(({ input, signal }) => runStep(fn, input, signal)),
    ]),
  ) as Record<S, ReturnType<typeof fromPromise<StepResult<F>, StepInput<F>>>>;
}
