/**
 * The shape every orchestration step shares, and the pure pieces the machines build their states
 * from. A step is an invoked promise actor that returns a result value (never throws for expected
 * conditions: those are values from `src/aws`). Throwing means a fatal error.
 *
 * Waits survive a restore (xstate#5331: `after` timers are not persisted): the absolute deadline of a
 * step and the absolute time of its next attempt live in context, and the delay between attempts is an
 * invoked `sleepUntil` actor whose input (the wake-up time) is persisted with the snapshot.
 */

import { and, fromPromise } from 'xstate';

export interface StepPolicy {
  /** Attempts including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** From the first attempt to the last: past it the step ends in `timedOut`. */
  readonly timeoutMs: number;
}

export type StepResult<F> =
  | { readonly outcome: 'done'; readonly facts?: Partial<F> }
  /** Not yet: try again after a pause. `facts`: what the step learned before it had to wait (kept). */
  | { readonly outcome: 'retry'; readonly reason: string; readonly facts?: Partial<F> }
  | { readonly outcome: 'timeout'; readonly reason: string };

export interface StepInput<F> {
  readonly step: string;
  readonly facts: F;
  readonly attempt: number;
  /** Epoch ms after which the step should give up with `timeout`. */
  readonly deadline: number;
}

export interface StepBook {
  /** Attempts made so far, per step. */
  readonly attempts: Readonly<Record<string, number>>;
  readonly deadlines: Readonly<Record<string, number>>;
  /** When the next attempt of a step in a retry state may start. */
  readonly retryAt: Readonly<Record<string, number>>;
  readonly reasons: Readonly<Record<string, string>>;
  /** Retries over the whole run: how often the cloud made us wait. */
  readonly retries: number;
}

export const emptyBook = (): StepBook => ({
  attempts: {},
  deadlines: {},
  retryAt: {},
  reasons: {},
  retries: 0,
});

export const DEFAULT_POLICY: StepPolicy = {
  maxAttempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 15_000,
  timeoutMs: 300_000,
};

/** Exponential backoff with full jitter, capped (AWS Architecture Blog, "Exponential Backoff and Jitter"). */
export function backoffMs(policy: StepPolicy, attempt: number, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** The result carried by a `xstate.done.actor.*` event, if the event is one. */
export function resultOf(event: { type: string }): StepResult<unknown> | undefined {
  const output = (event as { output?: unknown }).output;
  if (typeof output !== 'object' || output === null || !('outcome' in output)) return undefined;
  return output as StepResult<unknown>;
}

export function errorMessage(event: { type: string }): string {
  const error = (event as { error?: unknown }).error;
  if (error instanceof Error) return error.message;
  return String(error);
}

export const policyFor = (policies: Readonly<Record<string, StepPolicy>>, step: string): StepPolicy =>
  policies[step] ?? policies.default ?? DEFAULT_POLICY;

/** Book-keeping on entering a step: its deadline is set once and kept across retries and restores. */
export function enterStep(book: StepBook, step: string, policy: StepPolicy, now: number): StepBook {
  if (book.deadlines[step] !== undefined) return book;
  return {
    ...book,
    attempts: { ...book.attempts, [step]: 0 },
    deadlines: { ...book.deadlines, [step]: now + policy.timeoutMs },
  };
}

export function scheduleRetry(
  book: StepBook,
  step: string,
  policy: StepPolicy,
  reason: string,
  now: number,
  random: number,
): StepBook {
  const attempt = book.attempts[step] ?? 0;
  return {
    ...book,
    attempts: { ...book.attempts, [step]: attempt + 1 },
    retryAt: { ...book.retryAt, [step]: now + backoffMs(policy, attempt, random) },
    reasons: { ...book.reasons, [step]: reason },
    retries: book.retries + 1,
  };
}

/** Clears a finished step so that a later visit (a second verify) starts with a fresh deadline. */
export function leaveStep(book: StepBook, step: string): StepBook {
  const { [step]: _a, ...attempts } = book.attempts;
  const { [step]: _d, ...deadlines } = book.deadlines;
  const { [step]: _r, ...retryAt } = book.retryAt;
  return { ...book, attempts, deadlines, retryAt };
}

export const canRetry = (book: StepBook, step: string, policy: StepPolicy): boolean =>
  (book.attempts[step] ?? 0) + 1 < policy.maxAttempts;

/**
 * One placeholder actor per step: machines are pure and get their effects through `.provide()`, so an
 * unprovided step fails loudly instead of doing nothing.
 */
export function placeholderSteps<F, S extends string>(machine: string, steps: readonly S[]) {
  const notProvided = (step: string) =>
    fromPromise<StepResult<F>, StepInput<F>>(async () => {
      throw new Error(`${machine} step ${step} has no implementation`);
    });
  return Object.fromEntries(steps.map((s) => [s, notProvided(s)])) as Record<
    S,
    ReturnType<typeof notProvided>
  >;
}

/** Context after a step finished: the facts it learned merged in, the step cleared from the book. */
export function finishedStep<F>(context: StepContext<F>, event: { type: string }, step: string) {
  const result = resultOf(event);
  const facts = result?.outcome === 'done' ? (result.facts as Partial<F> | undefined) : undefined;
  return { facts: { ...context.facts, ...facts }, book: leaveStep(context.book, step) };
}

/** The book after a step answered "not yet": its next attempt scheduled with backoff. */
export function retriedStep(
  book: StepBook,
  policies: Readonly<Record<string, StepPolicy>>,
  event: { type: string },
  step: string,
): StepBook {
  const result = resultOf(event);
  const reason = result?.outcome === 'retry' ? result.reason : 'not ready';
  return scheduleRetry(book, step, policyFor(policies, step), reason, Date.now(), Math.random());
}

/** Why a step failed: its own timeout or retry reason, or the error it threw. */
export function failureOf(event: { type: string }): string {
  const result = resultOf(event);
  return result !== undefined && result.outcome !== 'done' ? result.reason : errorMessage(event);
}

/** Why a step gave up after its last allowed attempt. */
export const exhaustedReason = (book: StepBook, step: string): string =>
  `gave up after ${(book.attempts[step] ?? 0) + 1} attempts: ${book.reasons[step] ?? 'not ready'}`;

/** What a machine built from steps keeps in context: the facts steps learn and the retry book. */
export interface StepContext<F> {
  readonly facts: F;
  readonly book: StepBook;
}

/**
 * A step state (invoke the step's actor; a done result goes to `next`, a retry to its wait state while
 * the policy allows, a timeout or exhausted retries to `timedOut`, a throw to `failed`) and its wait
 * state (sleep until the scheduled retry, then enter the step again). The machine's `setup()` must
 * provide the `enter`/`retry`/`exhausted`/`finish`/`fail` actions, the `isTimeout`/`isRetry`/`canRetry`
 * guards, the `sleepUntil` actor and one actor per step name.
 */
export function stepStates<F, C extends StepContext<F>>(step: string, next: string, retryState: string) {
  const params = { step };
  return {
    [step]: {
      tags: ['step' as const],
      entry: { type: 'enter' as const, params },
      invoke: {
        id: step,
        src: step,
        input: ({ context }: { context: C }): StepInput<F> => ({
          step,
          facts: context.facts,
          attempt: context.book.attempts[step] ?? 0,
          deadline: context.book.deadlines[step] ?? Date.now(),
        }),
        onDone: [
          { guard: 'isTimeout' as const, target: 'timedOut', actions: { type: 'fail' as const, params } },
          {
            guard: and(['isRetry', { type: 'canRetry', params }]),
            target: retryState,
            actions: { type: 'retry' as const, params },
          },
          { guard: 'isRetry' as const, target: 'timedOut', actions: { type: 'exhausted' as const, params } },
          { target: next, actions: { type: 'finish' as const, params } },
        ],
        onError: { target: 'failed', actions: { type: 'fail' as const, params } },
      },
    },
    [retryState]: {
      tags: ['waiting' as const],
      invoke: {
        src: 'sleepUntil' as const,
        input: ({ context }: { context: C }) => ({ until: context.book.retryAt[step] ?? 0 }),
        onDone: { target: step },
      },
    },
  };
}
