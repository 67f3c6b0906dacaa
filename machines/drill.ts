import { assign, fromPromise, setup } from 'xstate';
import type { Experiment } from '../src/drill/experiment.ts';
import type { DeployFacts } from './deploy.ts';
import { sleepUntil } from './sleep.ts';
import { emptyBook, leaveStep, resultOf, type StepBook, type StepResult, scheduleRetry } from './step-kit.ts';

/**
 * A drill: an experiment file run as a machine. The experiment is the machine's input (persisted in
 * its context, so a resumed drill runs the same file it started with), and one `stage` state is
 * entered once per method stage with the stage's index in context: the persisted value says where
 * the drill is (`{ method: { stage: 'waiting' } }` with `stage: 2`).
 *
 *   before (steady-state hypothesis: the gate) → method stages (acting → waiting → observing)
 *   → rollingBack (always) → after (steady-state hypothesis again) → passed | failed | aborted
 *
 * A gate that fails skips the method; a stage that fails, a stop condition and an error go to the
 * rollbacks. Actors are provided by src/drill/actors.ts; the machine itself is pure.
 */

export interface DrillFacts extends DeployFacts {
  /** Selector name → the instance it chose: chosen once, kept in the checkpoint. */
  readonly selected?: Readonly<Record<string, string>>;
  /** Actions of the current stage already done (a resumed stage does not repeat them). */
  readonly actionsDone?: number;
}

export interface DrillInput {
  readonly experiment: Experiment;
  readonly facts: DeployFacts;
  /** A stage's budget (act, wait and observe), unless the stage says otherwise. */
  readonly stageTimeoutMs: number;
  /** AWS time → real time on the local cloud (stage `timeoutSeconds` are AWS time). */
  readonly timeScale: number;
}

export interface StageVerdict {
  readonly stage: number;
  readonly title: string;
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

/** What the observe and wait actors answer: a verdict, or that a stop condition held. */
export interface ObserveOutput {
  readonly pass: boolean;
  readonly reasons: readonly string[];
  readonly stopped?: string | undefined;
}

export interface DrillContext extends DrillInput {
  readonly facts: DrillFacts;
  /** The method stage being run (0-based). */
  readonly stage: number;
  readonly deadline?: number;
  readonly book: StepBook;
  readonly results: readonly StageVerdict[];
  readonly before?: ObserveOutput;
  readonly after?: ObserveOutput;
  readonly stopped?: string;
  readonly error?: string;
}

export interface DrillOutput {
  readonly outcome: 'passed' | 'failed' | 'aborted';
  readonly facts: DrillFacts;
  readonly results: readonly StageVerdict[];
  readonly before?: ObserveOutput | undefined;
  readonly after?: ObserveOutput | undefined;
  readonly stopped?: string | undefined;
  readonly error?: string | undefined;
}

export interface DrillStageInput {
  readonly experiment: Experiment;
  readonly stage: number;
  readonly facts: DrillFacts;
  readonly deadline: number;
  readonly attempt: number;
  readonly step: string;
  /** `before` / `after` for the hypothesis, `rollback` for the rollbacks. */
  readonly phase: 'before' | 'method' | 'rollback' | 'after';
  /** The drill's verdict so far (the rollbacks and the last hypothesis report it). */
  readonly outcome: DrillOutput['outcome'];
}

/** Increment when states, context or actor names change. */
export const DRILL_MACHINE_VERSION = 'drill-1';
const STEP = 'drill';

const notProvided = <O>(name: string) =>
  fromPromise<O, DrillStageInput>(async () => {
    throw new Error(`drill actor ${name} has no implementation`);
  });

const timeoutOf = (context: DrillContext, stage: number): number => {
  const s = context.experiment.method[stage]?.timeoutSeconds;
  return s === undefined ? context.stageTimeoutMs : Math.max(1_000, s * 1_000 * context.timeScale);
};

const outcomeOf = (context: DrillContext): DrillOutput['outcome'] => {
  if (context.stopped !== undefined) return 'aborted';
  if (context.error !== undefined) return 'failed';
  if (context.before?.pass === false || context.after?.pass === false) return 'failed';
  return context.results.every((r) => r.pass) && context.results.length === context.experiment.method.length
    ? 'passed'
    : 'failed';
};

const input =
  (phase: DrillStageInput['phase'], step: string) =>
  ({ context }: { context: DrillContext }): DrillStageInput => ({
    experiment: context.experiment,
    stage: context.stage,
    facts: context.facts,
    deadline: context.deadline ?? Date.now() + context.stageTimeoutMs,
    attempt: context.book.attempts[STEP] ?? 0,
    step,
    phase,
    outcome: outcomeOf(context),
  });

const drillSetup = setup({
  types: {
    context: {} as DrillContext,
    input: {} as DrillInput,
    output: {} as DrillOutput,
    tags: {} as 'step' | 'waiting' | 'stage',
  },
  actors: {
    /** The steady-state hypothesis (`phase` before or after). */
    hypothesis: notProvided<ObserveOutput>('hypothesis'),
    /** The stage's actions, in order; `retry` after Ctrl+C or a transient error (progress kept). */
    act: notProvided<StepResult<DrillFacts>>('act'),
    /** The stage's wait condition, polled until it holds or the stage's deadline. */
    waitFor: notProvided<ObserveOutput>('waitFor'),
    /** The stage's expectations and continuous probes. */
    observe: notProvided<ObserveOutput>('observe'),
    /** Every rollback, each tried once more on a transient error; never fails the machine. */
    rollback: notProvided<void>('rollback'),
    sleepUntil,
  },
  actions: {
    enterStage: assign(({ context }) => ({
      deadline: Date.now() + timeoutOf(context, context.stage),
      book: emptyBook(),
      facts: { ...context.facts, actionsDone: 0 },
    })),
    merge: assign(({ context, event }) => {
      const r = resultOf(event) as StepResult<DrillFacts> | undefined;
      const facts = r?.outcome === 'timeout' ? undefined : r?.facts;
      return { facts: { ...context.facts, ...facts }, book: leaveStep(context.book, STEP) };
    }),
    retry: assign(({ context, event }) => {
      const r = resultOf(event) as StepResult<DrillFacts> | undefined;
      const poll = Math.max(50, Math.round(context.stageTimeoutMs / 120));
      return {
        facts: { ...context.facts, ...(r?.outcome === 'retry' ? r.facts : undefined) },
        book: scheduleRetry(
          context.book,
          STEP,
          {
            maxAttempts: Number.MAX_SAFE_INTEGER,
            baseDelayMs: poll,
            maxDelayMs: poll,
            timeoutMs: context.stageTimeoutMs,
          },
          r?.outcome === 'retry' ? r.reason : 'not ready',
          Date.now(),
          Math.random(),
        ),
      };
    }),
    verdict: assign(({ context, event }) => {
      const out = (event as { output?: ObserveOutput }).output;
      const title = context.experiment.method[context.stage]?.title ?? '';
      return {
        results: [
          ...context.results,
          { stage: context.stage + 1, title, pass: out?.pass === true, reasons: out?.reasons ?? [] },
        ],
        ...(out?.stopped === undefined ? {} : { stopped: out.stopped }),
      };
    }),
    fail: assign(({ context, event }) => {
      const r = resultOf(event);
      const error = (event as { error?: unknown }).error;
      const why =
        r !== undefined && r.outcome === 'timeout'
          ? r.reason
          : error instanceof Error
            ? error.message
            : String(error);
      return { error: `stage ${context.stage + 1}: ${why}` };
    }),
    next: assign(({ context }) => ({ stage: context.stage + 1 })),
    /** The hypothesis checks and the rollbacks get a stage's budget of their own. */
    enterPhase: assign(({ context }) => ({ deadline: Date.now() + context.stageTimeoutMs })),
  },
  guards: {
    isRetry: ({ event }) => resultOf(event)?.outcome === 'retry',
    isTimeout: ({ event }) => resultOf(event)?.outcome === 'timeout',
    held: ({ event }) => (event as { output?: ObserveOutput }).output?.pass === true,
    stopped: ({ event }) => (event as { output?: ObserveOutput }).output?.stopped !== undefined,
    moreStages: ({ context }) => context.stage + 1 < context.experiment.method.length,
  },
});

export const drillMachine = drillSetup.createMachine({
  id: 'drill',
  context: ({ input: i }) => ({ ...i, facts: { ...i.facts }, stage: 0, book: emptyBook(), results: [] }),
  initial: 'before',
  states: {
    before: {
      entry: 'enterPhase',
      invoke: {
        src: 'hypothesis',
        input: input('before', 'hypothesis'),
        onDone: [
          {
            guard: 'held',
            target: 'method',
            actions: assign({ before: ({ event }) => event.output }),
          },
          // The gate: a system that is not in its steady state is not broken further.
          { target: 'rollingBack', actions: assign({ before: ({ event }) => event.output }) },
        ],
        onError: {
          target: 'rollingBack',
          actions: assign({ error: ({ event }) => `steady state: ${String(event.error)}` }),
        },
      },
    },
    method: {
      initial: 'stage',
      states: {
        stage: {
          tags: ['stage'],
          entry: 'enterStage',
          initial: 'acting',
          states: {
            acting: {
              tags: ['step'],
              invoke: {
                src: 'act',
                input: input('method', 'act'),
                onDone: [
                  { guard: 'isTimeout', target: '#drill.rollingBack', actions: 'fail' },
                  { guard: 'isRetry', target: 'actingRetry', actions: 'retry' },
                  { target: 'waiting', actions: 'merge' },
                ],
                onError: { target: '#drill.rollingBack', actions: 'fail' },
              },
            },
            actingRetry: {
              tags: ['waiting'],
              invoke: {
                src: 'sleepUntil',
                input: ({ context }) => ({ until: context.book.retryAt[STEP] ?? 0 }),
                onDone: 'acting',
              },
            },
            waiting: {
              invoke: {
                src: 'waitFor',
                input: input('method', 'waitFor'),
                onDone: [
                  { guard: 'held', target: 'observing' },
                  { target: '#drill.rollingBack', actions: 'verdict' },
                ],
                onError: { target: '#drill.rollingBack', actions: 'fail' },
              },
            },
            observing: {
              invoke: {
                src: 'observe',
                input: input('method', 'observe'),
                onDone: [
                  { guard: 'stopped', target: '#drill.rollingBack', actions: 'verdict' },
                  { guard: 'held', target: 'passed', actions: 'verdict' },
                  { target: '#drill.rollingBack', actions: 'verdict' },
                ],
                onError: { target: '#drill.rollingBack', actions: 'fail' },
              },
            },
            passed: {
              always: [
                { guard: 'moreStages', target: '#drill.method.stage', reenter: true, actions: 'next' },
                { target: '#drill.rollingBack' },
              ],
            },
          },
        },
      },
    },
    rollingBack: {
      tags: ['step'],
      entry: 'enterPhase',
      invoke: {
        src: 'rollback',
        input: input('rollback', 'rollback'),
        onDone: 'after',
        onError: {
          target: 'after',
          actions: assign({ error: ({ event }) => `rollback: ${String(event.error)}` }),
        },
      },
    },
    after: {
      entry: 'enterPhase',
      invoke: {
        src: 'hypothesis',
        input: input('after', 'hypothesis'),
        onDone: { target: 'finished', actions: assign({ after: ({ event }) => event.output }) },
        onError: {
          target: 'finished',
          actions: assign({ error: ({ event }) => `steady state: ${String(event.error)}` }),
        },
      },
    },
    finished: { type: 'final' },
  },
  output: ({ context }) => ({
    outcome: outcomeOf(context),
    facts: context.facts,
    results: context.results,
    before: context.before,
    after: context.after,
    stopped: context.stopped,
    error: context.error,
  }),
});

export type DrillMachine = typeof drillMachine;
