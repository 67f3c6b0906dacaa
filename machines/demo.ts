import { assign, fromPromise, setup } from 'xstate';
import type { DeployFacts } from './deploy.ts';
import { sleepUntil } from './sleep.ts';
import { emptyBook, leaveStep, resultOf, type StepBook, type StepResult, scheduleRetry } from './step-kit.ts';

/** The seven stages (docs/architecture.md#the-seven-stages), then the reset (stage 8). */
export const DEMO_STAGES = [1, 2, 3, 4, 5, 6, 7] as const;
export const RESET_STAGE = 8;

export interface DemoFacts extends DeployFacts {
  /** The instance given the SSM-only ("bad credentials") profile at stage 4, terminated at stage 6. */
  readonly badInstanceId?: string;
}

export interface StageInput {
  readonly stage: number;
  readonly facts: DemoFacts;
  /** Epoch ms: the stage's waits and observation give up after it. Set on entering the stage and persisted. */
  readonly deadline: number;
  /** `--yes`: a probe runs through the stage, from its action to its verdict. */
  readonly auto?: boolean | undefined;
  /** How often this stage's current actor has been tried (0: first time). */
  readonly attempt?: number | undefined;
  /** The reset only: whether every stage passed (the experiment's outcome). */
  readonly passed?: boolean | undefined;
  /** `StepInput` compatibility: the actor's name. */
  readonly step?: string | undefined;
}

export interface StageResult {
  readonly stage: number;
  readonly pass: boolean;
  readonly reasons: readonly string[];
}

export interface DemoInput {
  readonly facts: DeployFacts;
  /** `--yes`: observe each stage automatically instead of showing the menu. */
  readonly auto: boolean;
  /** How long one stage may take to act and, in auto mode, to show its expected outcome. */
  readonly stageTimeoutMs: number;
}

export interface DemoContext {
  readonly facts: DemoFacts;
  readonly auto: boolean;
  readonly stageTimeoutMs: number;
  readonly results: readonly StageResult[];
  /** The current stage's deadline (set on entry, so retries and restores keep it). */
  readonly deadline?: number;
  /** Retries of the current stage's actor: when the next attempt may start, and why. */
  readonly book: StepBook;
  readonly error?: string;
  readonly outcome?: DemoOutput['outcome'];
}

export type DemoEvent = { type: 'GET' } | { type: 'HEALTH' } | { type: 'NEXT' };

export interface DemoOutput {
  readonly outcome: 'succeeded' | 'failed';
  readonly facts: DemoFacts;
  readonly results: readonly StageResult[];
  readonly error?: string;
}

/** The one key of the retry book: a stage runs one actor at a time. */
const STEP = 'demo';

const notProvided = <O>(name: string) =>
  fromPromise<O, StageInput>(async () => {
    throw new Error(`demo actor ${name} has no implementation`);
  });

/**
 * How long to wait before trying a stage's actor again: the poll interval the stage budget implies
 * (600 s of AWS time → 5 s; the local cloud's 30 s floor → 250 ms), as a retry policy of the step kit.
 */
const retryPolicy = (stageTimeoutMs: number) => {
  const poll = Math.max(50, Math.round(stageTimeoutMs / 120));
  return {
    maxAttempts: Number.MAX_SAFE_INTEGER,
    baseDelayMs: poll,
    maxDelayMs: poll,
    timeoutMs: stageTimeoutMs,
  };
};

const demoSetup = setup({
  types: {
    context: {} as DemoContext,
    input: {} as DemoInput,
    events: {} as DemoEvent,
    output: {} as DemoOutput,
    tags: {} as 'prompt' | 'stage' | 'step' | 'waiting',
  },
  actors: {
    /**
     * The stage's mutating calls (parameters; profile swap + reboot; terminate; reset). Tagged `step`:
     * on Ctrl+C the call in flight finishes and the actor answers `retry`, so the run stops in the
     * wait state and a resume repeats what is left (every call is idempotent).
     */
    act: notProvided<StepResult<DemoFacts>>('act'),
    /** Until the action has taken effect (stage 4: the instance serves again; stage 6: the replacement is healthy). */
    settle: notProvided<StepResult<DemoFacts>>('settle'),
    /** Probe batches until the stage's row holds in several consecutive ones, or the deadline. */
    observeStage: notProvided<StageResult>('observeStage'),
    sendGet: notProvided<void>('sendGet'),
    checkHealth: notProvided<void>('checkHealth'),
    sleepUntil,
  },
  actions: {
    enterStage: assign(({ context }) => ({
      deadline: Date.now() + context.stageTimeoutMs,
      book: emptyBook(),
    })),
    merge: assign(({ context, event }) => {
      const result = resultOf(event) as StepResult<DemoFacts> | undefined;
      const facts = result?.outcome === 'timeout' ? undefined : result?.facts;
      return { facts: { ...context.facts, ...facts }, book: leaveStep(context.book, STEP) };
    }),
    retry: assign(({ context, event }) => {
      const result = resultOf(event) as StepResult<DemoFacts> | undefined;
      const reason = result?.outcome === 'retry' ? result.reason : 'not ready';
      const facts = result?.outcome === 'retry' ? result.facts : undefined;
      return {
        facts: { ...context.facts, ...facts },
        book: scheduleRetry(
          context.book,
          STEP,
          retryPolicy(context.stageTimeoutMs),
          reason,
          Date.now(),
          Math.random(),
        ),
      };
    }),
    record: assign(({ context, event }) => {
      const output = (event as { output?: StageResult }).output;
      return output === undefined ? {} : { results: [...context.results, output] };
    }),
    fail: assign(({ event }, params: { stage: number }) => {
      const result = resultOf(event);
      const error = (event as { error?: unknown }).error;
      const why =
        result !== undefined && result.outcome === 'timeout'
          ? result.reason
          : error instanceof Error
            ? error.message
            : String(error);
      return { error: `stage ${params.stage}: ${why}` };
    }),
  },
  guards: {
    auto: ({ context }) => context.auto,
    isRetry: ({ event }) => resultOf(event)?.outcome === 'retry',
    isTimeout: ({ event }) => resultOf(event)?.outcome === 'timeout',
    passed: ({ event }) => (event as { output?: StageResult }).output?.pass === true,
    allPassed: ({ context }) => context.error === undefined && context.results.every((r) => r.pass),
  },
});

const stageInput =
  (stage: number, step: string) =>
  ({ context }: { context: DemoContext }): StageInput => ({
    stage,
    step,
    facts: context.facts,
    deadline: context.deadline ?? Date.now() + context.stageTimeoutMs,
    auto: context.auto,
    attempt: context.book.attempts[STEP] ?? 0,
    passed: context.error === undefined && context.results.every((r) => r.pass),
  });

const retryWait = (target: string) => ({
  tags: ['waiting' as const],
  invoke: {
    src: 'sleepUntil' as const,
    input: ({ context }: { context: DemoContext }) => ({ until: context.book.retryAt[STEP] ?? 0 }),
    onDone: { target },
  },
});

function stageState(stage: number, next: string) {
  const params = { stage };
  const fail = { target: '#demo.resetting', actions: { type: 'fail' as const, params } };
  return {
    tags: ['stage' as const],
    entry: 'enterStage' as const,
    initial: 'acting',
    states: {
      acting: {
        tags: ['step' as const],
        invoke: {
          src: 'act' as const,
          input: stageInput(stage, 'act'),
          onDone: [
            { guard: 'isTimeout' as const, ...fail },
            { guard: 'isRetry' as const, target: 'actingRetry', actions: 'retry' as const },
            { target: 'settling', actions: 'merge' as const },
          ],
          onError: fail,
        },
      },
      actingRetry: retryWait('acting'),
      settling: {
        invoke: {
          src: 'settle' as const,
          input: stageInput(stage, 'settle'),
          onDone: [
            { guard: 'isTimeout' as const, ...fail },
            { guard: 'isRetry' as const, target: 'settlingRetry', actions: 'retry' as const },
            { guard: 'auto' as const, target: 'observing', actions: 'merge' as const },
            { target: 'menu', actions: 'merge' as const },
          ],
          onError: fail,
        },
      },
      settlingRetry: retryWait('settling'),
      menu: {
        tags: ['prompt' as const],
        on: { GET: 'getting', HEALTH: 'checking', NEXT: `#demo.${next}` },
      },
      getting: {
        invoke: {
          src: 'sendGet' as const,
          input: stageInput(stage, 'sendGet'),
          onDone: 'menu',
          onError: 'menu',
        },
      },
      checking: {
        invoke: {
          src: 'checkHealth' as const,
          input: stageInput(stage, 'checkHealth'),
          onDone: 'menu',
          onError: 'menu',
        },
      },
      observing: {
        invoke: {
          src: 'observeStage' as const,
          input: stageInput(stage, 'observe'),
          onDone: [
            { guard: 'passed' as const, target: `#demo.${next}`, actions: 'record' as const },
            { target: '#demo.resetting', actions: 'record' as const },
          ],
          onError: fail,
        },
      },
    },
  };
}

/**
 * The demo: each stage acts (its mutating calls), settles (waits until the action took effect), then
 * shows the menu (GET / HEALTH / NEXT, answered by the CLI) or, with `--yes`, observes: a probe that
 * started before the action runs until the stage's row of docs/architecture.md#the-seven-stages holds
 * in several consecutive batches. A failed stage skips to the reset so that the deployment is left
 * in its initial configuration. Waits are `sleepUntil` actors (durable across a restore).
 */
export const demoMachine = demoSetup.createMachine({
  id: 'demo',
  context: ({ input }) => ({
    facts: input.facts,
    auto: input.auto,
    stageTimeoutMs: input.stageTimeoutMs,
    results: [],
    book: emptyBook(),
  }),
  initial: 'stage1',
  states: {
    stage1: stageState(1, 'stage2'),
    stage2: stageState(2, 'stage3'),
    stage3: stageState(3, 'stage4'),
    stage4: stageState(4, 'stage5'),
    stage5: stageState(5, 'stage6'),
    stage6: stageState(6, 'stage7'),
    stage7: stageState(7, 'resetting'),
    resetting: {
      entry: 'enterStage',
      initial: 'acting',
      states: {
        acting: {
          tags: ['step'],
          invoke: {
            src: 'act',
            input: stageInput(RESET_STAGE, 'act'),
            onDone: [
              {
                guard: 'isTimeout',
                target: '#demo.failed',
                actions: { type: 'fail', params: { stage: RESET_STAGE } },
              },
              { guard: 'isRetry', target: 'actingRetry', actions: 'retry' },
              { guard: 'allPassed', target: '#demo.succeeded', actions: 'merge' },
              { target: '#demo.failed', actions: 'merge' },
            ],
            onError: { target: '#demo.failed', actions: { type: 'fail', params: { stage: RESET_STAGE } } },
          },
        },
        actingRetry: retryWait('acting'),
      },
    },
    succeeded: { type: 'final', entry: assign({ outcome: 'succeeded' as const }) },
    failed: { type: 'final', entry: assign({ outcome: 'failed' as const }) },
  },
  output: ({ context }) => ({
    outcome: context.outcome ?? 'failed',
    facts: context.facts,
    results: context.results,
    ...(context.error === undefined ? {} : { error: context.error }),
  }),
});

export type DemoMachine = typeof demoMachine;
