import { assign, fromPromise, setup, stateIn } from 'xstate';
import type {
  DrillContext,
  DrillEvent,
  DrillFacts,
  DrillInput,
  DrillOutput,
  DrillStageInput,
  ObserveOutput,
} from './drill-types.ts';
import { sleepUntil } from './sleep.ts';
import { emptyBook, leaveStep, resultOf, type StepResult, scheduleRetry } from './step-kit.ts';

/**
 * A drill: an experiment file run as a machine. The experiment is the machine's input (persisted in
 * its context, so a resumed drill runs the same file it started with), and one `stage` state is
 * entered once per method stage with the stage's index in context: the persisted value says where
 * the drill is (`{ method: { stage: 'waiting' } }` with `stage: 2`).
 *
 *   before (steady-state hypothesis: the gate) → method stages (acting → waiting → observing, or the
 *   menu without --yes) → rollingBack (always) → after (steady-state hypothesis again) → finished
 *
 * A gate that fails skips the method; a stage that fails, a stop condition and an error go to the
 * rollbacks. Ctrl+C (the `INTERRUPT` event the driver sends) aborts the method too: the action in
 * flight finishes, the rollbacks run (`halting`), and the drill waits in `halted`, where the driver
 * stops it. A drill restored in `halted` is sent `RESUME` and runs its method again from the first
 * stage, selectors chosen afresh: the rollbacks put the system back, so the interrupted trial is
 * void and a whole one runs (docs/architecture.md#interrupts). Actors are provided by
 * src/drill/actors.ts; the machine itself is pure.
 */

// Importers name the drill's types through the machine, as before they had a file of their own.
export type * from './drill-types.ts';

/** Increment when states, context or actor names change. */
export const DRILL_MACHINE_VERSION = 'drill-2';
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
  // Without --yes nothing is judged: the drill passes when nothing failed.
  const judged = !context.yes || context.results.length === context.experiment.method.length;
  return judged && context.results.every((r) => r.pass) ? 'passed' : 'failed';
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
    yes: context.yes,
  });

const drillSetup = setup({
  types: {
    context: {} as DrillContext,
    input: {} as DrillInput,
    events: {} as DrillEvent,
    output: {} as DrillOutput,
    tags: {} as 'step' | 'waiting' | 'stage' | 'prompt' | 'rollback' | 'halted',
  },
  actors: {
    /** The steady-state hypothesis (`phase` before or after). */
    hypothesis: notProvided<ObserveOutput>('hypothesis'),
    /** The stage's actions, in order; `retry` after Ctrl+C or a transient error (progress kept). */
    act: notProvided<StepResult<DrillFacts>>('act'),
    /** The stage's wait condition, polled until it holds or the stage's deadline. */
    waitFor: notProvided<ObserveOutput>('waitFor'),
    /** The stage's expectations and continuous probes (`--yes`). */
    observe: notProvided<ObserveOutput>('observe'),
    /** Every rollback, each tried once more on a transient error; never fails the machine. */
    rollback: notProvided<void>('rollback'),
    /** The menu's "send a GET request": one GET through the load balancer, shown. */
    sendGet: notProvided<void>('sendGet'),
    /** The menu's "check target health": the target group's health, shown. */
    checkHealth: notProvided<void>('checkHealth'),
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
    /** What the stage's act learnt before Ctrl+C stopped it (the instances chosen): the rollbacks need it. */
    keep: assign(({ context, event }) => {
      const r = resultOf(event) as StepResult<DrillFacts> | undefined;
      const facts = r?.outcome === 'done' || r?.outcome === 'retry' ? r.facts : undefined;
      return { facts: { ...context.facts, ...facts }, book: leaveStep(context.book, STEP) };
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
    /** A new trial after Ctrl+C rolled the last one back: from the first stage, selectors chosen afresh. */
    restart: assign(({ context }) => ({
      stage: 0,
      results: [],
      facts: { ...context.facts, selected: {}, actionsDone: 0 },
    })),
    /** The hypothesis checks and the rollbacks get a stage's budget of their own. */
    enterPhase: assign(({ context }) => ({ deadline: Date.now() + context.stageTimeoutMs })),
  },
  guards: {
    isRetry: ({ event }) => resultOf(event)?.outcome === 'retry',
    isTimeout: ({ event }) => resultOf(event)?.outcome === 'timeout',
    held: ({ event }) => (event as { output?: ObserveOutput }).output?.pass === true,
    heldYes: ({ context, event }) =>
      context.yes && (event as { output?: ObserveOutput }).output?.pass === true,
    stopped: ({ event }) => (event as { output?: ObserveOutput }).output?.stopped !== undefined,
    moreStages: ({ context }) => context.stage + 1 < context.experiment.method.length,
    haltRequested: stateIn({ method: { stage: { acting: 'haltAfter' } } }),
  },
});

const menuCall = (src: 'sendGet' | 'checkHealth') => ({
  invoke: { src, input: input('method', src), onDone: 'menu', onError: 'menu' },
});

export const drillMachine = drillSetup.createMachine({
  id: 'drill',
  context: ({ input: i }) => ({
    experiment: i.experiment,
    facts: { ...i.facts },
    stageTimeoutMs: i.stageTimeoutMs,
    timeScale: i.timeScale,
    yes: i.yes ?? true,
    stage: 0,
    book: emptyBook(),
    results: [],
  }),
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
      // Ctrl+C anywhere in the method but an action: roll back now (observations stop at once).
      on: { INTERRUPT: '#drill.halting' },
      states: {
        stage: {
          tags: ['stage'],
          entry: 'enterStage',
          initial: 'acting',
          states: {
            acting: {
              tags: ['step'],
              initial: 'running',
              states: {
                // Ctrl+C during an action: the call in flight finishes (the actor stops before the
                // next one), then the rollbacks run. `rollback` tells the driver not to stop yet.
                running: { on: { INTERRUPT: 'haltAfter' } },
                haltAfter: { tags: ['rollback'], on: { INTERRUPT: {} } },
              },
              invoke: {
                src: 'act',
                input: input('method', 'act'),
                onDone: [
                  { guard: 'haltRequested', target: '#drill.halting', actions: 'keep' },
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
                  { guard: 'heldYes', target: 'observing' },
                  { guard: 'held', target: 'menu' },
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
            menu: {
              tags: ['prompt'],
              on: { GET: 'getting', HEALTH: 'checking', NEXT: 'passed' },
            },
            getting: menuCall('sendGet'),
            checking: menuCall('checkHealth'),
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
      // Ctrl+C while the rollbacks run lets them finish (bounded by their deadline).
      tags: ['step', 'rollback'],
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
    halting: {
      tags: ['step', 'rollback'],
      entry: 'enterPhase',
      invoke: {
        src: 'rollback',
        input: input('rollback', 'halt'),
        onDone: 'halted',
        onError: 'halted',
      },
    },
    halted: {
      tags: ['halted'],
      on: { RESUME: { target: 'method', actions: 'restart' } },
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
