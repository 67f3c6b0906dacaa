import { expect } from 'vitest';
import { __unsafe_getAllOwnEventDescriptors, type AnyMachineSnapshot, type EventObject } from 'xstate';
import type { StepPolicy } from '../../../machines/step-kit.ts';
import type { RunEvent } from '../../../src/events.ts';
import type { FaultKind } from '../../run/_fakes/faults.ts';

/**
 * The outcomes a model path can give a step, and how the fake cloud is made to produce each one for
 * the real step (no step is stubbed):
 * - `done`: nothing injected;
 * - `throttled`: a throttling error that outlived the SDK's retries → the step waits and retries;
 * - `not-ready`: the operation's own not-yet answer (profile not yet visible, load balancer provisioning,
 *   target group in use, scaling activity in progress, table creating, items unprocessed, endpoint 503);
 * - `timeout`: a not-yet answer after the step's deadline (its policy gives it 0 ms);
 * - `fatal`: an error no step absorbs.
 */
export type Outcome = 'done' | 'throttled' | 'not-ready' | 'timeout' | 'fatal';

/** How the fake makes one step produce its retryable and fatal outcomes. */
export interface Injection {
  /** The first call the step makes: where a throttle or a fatal error is armed (`undefined`: any call). */
  readonly firstOp?: string;
  /** The call whose own not-yet answer the step turns into a retry, if the step has one. */
  readonly notReady?: string;
  /** False when the step makes no call that can throw (the endpoint GET never throws). */
  readonly canFail?: boolean;
  readonly canThrottle?: boolean;
}

export interface ModelEvent extends EventObject {
  readonly output?: { outcome: 'done' | 'retry' | 'timeout'; reason?: string; facts?: object };
  readonly error?: Error;
}

/**
 * The model's events in a state: the machine's own (discovered), with a payload per producible outcome
 * for each step's `xstate.done.actor.<step>` / `xstate.error.actor.<step>`. `extraDone` adds facts a done
 * result carries (the endpoint check's `needsIngress: false`).
 */
export function modelEvents(
  injections: Readonly<Record<string, Injection>>,
  extraDone: Readonly<Record<string, object>> = {},
) {
  return (state: AnyMachineSnapshot): ModelEvent[] =>
    __unsafe_getAllOwnEventDescriptors(state).flatMap((type): ModelEvent[] => {
      const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
      const step = match?.[2];
      const how = step === undefined ? undefined : injections[step];
      if (match === null || step === undefined || how === undefined) return [{ type }];
      if (match[1] === 'error') return how.canFail === false ? [] : [{ type, error: new Error('fatal') }];
      const events: ModelEvent[] = [{ type, output: { outcome: 'done', facts: extraDone[step] ?? {} } }];
      if (how.canThrottle !== false) events.push({ type, output: { outcome: 'retry', reason: 'throttled' } });
      if (how.notReady !== undefined)
        events.push({ type, output: { outcome: 'retry', reason: 'not-ready' } });
      events.push({ type, output: { outcome: 'timeout', reason: 'timeout' } });
      return events;
    });
}

/** The outcome a model path gives each step it runs (a simple path runs each step once). */
export function planOf(steps: readonly { event: EventObject }[]): Map<string, Outcome> {
  const plan = new Map<string, Outcome>();
  for (const { event } of steps) {
    const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type);
    if (match?.[2] === undefined) continue;
    const output = (event as ModelEvent).output;
    const outcome: Outcome =
      match[1] === 'error'
        ? 'fatal'
        : output?.outcome === 'done'
          ? 'done'
          : output?.outcome === 'timeout'
            ? 'timeout'
            : output?.reason === 'not-ready'
              ? 'not-ready'
              : 'throttled';
    plan.set(match[2], outcome);
  }
  return plan;
}

/** The fault to arm when `step` starts, for its planned outcome. */
export function faultFor(
  how: Injection,
  outcome: Outcome,
): { kind: FaultKind; op: string | undefined } | undefined {
  switch (outcome) {
    case 'done':
      return undefined;
    case 'fatal':
      return { kind: 'fatal', op: how.firstOp };
    case 'throttled':
      return { kind: 'throttle', op: how.firstOp };
    case 'not-ready':
      return { kind: 'retryable', op: how.notReady };
    case 'timeout':
      return how.notReady !== undefined
        ? { kind: 'retryable', op: how.notReady }
        : { kind: 'throttle', op: how.firstOp };
  }
}

/** Fast policies for tests, with a 0 ms deadline for the step whose planned outcome is a timeout. */
export function policiesFor(plan: ReadonlyMap<string, Outcome>): Record<string, StepPolicy> {
  const fast: StepPolicy = { maxAttempts: 8, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 60_000 };
  const policies: Record<string, StepPolicy> = { default: fast };
  for (const [step, outcome] of plan) if (outcome === 'timeout') policies[step] = { ...fast, timeoutMs: 0 };
  return policies;
}

/** Consecutive duplicates removed: one entry per state the checkpoint went through. */
export function collapse(values: readonly string[]): string[] {
  return values.filter((v, i) => i === 0 || values[i - 1] !== v);
}

/** A short, unique name: the state a path ends in and the one step outcome that is not `done`. */
export function pathName(end: unknown, plan: ReadonlyMap<string, Outcome>): string {
  const odd = [...plan].filter(([, o]) => o !== 'done').map(([step, o]) => `${step}: ${o}`);
  return `ends in ${JSON.stringify(end)} after ${odd.length === 0 ? 'every step done' : odd.join(', ')}`;
}

/**
 * A step planned to retry did retry, for the planned reason: a throttle shows as a transient cloud error,
 * a not-ready answer as the step's own reason (so the wait was not caused by something else).
 */
export function expectRetriesCausedByTheInjection(
  plan: ReadonlyMap<string, Outcome>,
  events: readonly RunEvent[],
) {
  for (const [step, outcome] of plan) {
    if (outcome !== 'throttled' && outcome !== 'not-ready') continue;
    const retry = events.find((e) => e.type === 'step-retrying' && e.step === step);
    const reason = retry?.type === 'step-retrying' ? retry.reason : 'no retry';
    if (outcome === 'throttled')
      expect(reason).toMatch(/^transient cloud error (ThrottlingException|RequestLimitExceeded)$/);
    else expect(reason).not.toMatch(/transient|no retry/);
  }
}
