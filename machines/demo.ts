import { assign, fromPromise, setup } from 'xstate';
import type { DeployFacts } from './deploy.ts';

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
  /** Epoch ms: the stage's waits and observation give up after it. Persisted, so a restore keeps it. */
  readonly deadline: number;
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

const notProvided = <O>(name: string) =>
  fromPromise<O, StageInput>(async () => {
    throw new Error(`demo actor ${name} has no implementation`);
  });

const demoSetup = setup({
  types: {
    context: {} as DemoContext,
    input: {} as DemoInput,
    events: {} as DemoEvent,
    output: {} as DemoOutput,
    tags: {} as 'prompt' | 'stage',
  },
  actors: {
    /** Sets the stage's parameters and performs its action (profile swap + reboot, terminate, reset). */
    applyStage: notProvided<{ facts?: Partial<DemoFacts> }>('applyStage'),
    /** Bounded polling of GET and target health until the stage's expected row holds, or the deadline. */
    observeStage: notProvided<StageResult>('observeStage'),
    sendGet: notProvided<void>('sendGet'),
    checkHealth: notProvided<void>('checkHealth'),
  },
  actions: {
    merge: assign(({ context, event }) => {
      const output = (event as { output?: { facts?: Partial<DemoFacts> } }).output;
      return { facts: { ...context.facts, ...output?.facts } };
    }),
    record: assign(({ context, event }) => {
      const output = (event as { output?: StageResult }).output;
      return output === undefined ? {} : { results: [...context.results, output] };
    }),
    fail: assign(({ event }, params: { stage: number }) => {
      const error = (event as { error?: unknown }).error;
      return { error: `stage ${params.stage}: ${error instanceof Error ? error.message : String(error)}` };
    }),
  },
  guards: {
    auto: ({ context }) => context.auto,
    passed: ({ event }) => (event as { output?: StageResult }).output?.pass === true,
    allPassed: ({ context }) => context.error === undefined && context.results.every((r) => r.pass),
  },
});

function stageState(stage: number, next: string) {
  const input = ({ context }: { context: DemoContext }): StageInput => ({
    stage,
    facts: context.facts,
    deadline: Date.now() + context.stageTimeoutMs,
  });
  const params = { stage };
  return {
    tags: ['stage' as const],
    initial: 'applying',
    states: {
      applying: {
        invoke: {
          src: 'applyStage' as const,
          input,
          onDone: [
            { guard: 'auto' as const, target: 'observing', actions: 'merge' as const },
            { target: 'menu', actions: 'merge' as const },
          ],
          onError: { target: '#demo.resetting', actions: { type: 'fail' as const, params } },
        },
      },
      menu: {
        tags: ['prompt' as const],
        on: { GET: 'getting', HEALTH: 'checking', NEXT: `#demo.${next}` },
      },
      getting: { invoke: { src: 'sendGet' as const, input, onDone: 'menu', onError: 'menu' } },
      checking: { invoke: { src: 'checkHealth' as const, input, onDone: 'menu', onError: 'menu' } },
      observing: {
        invoke: {
          src: 'observeStage' as const,
          input,
          onDone: [
            { guard: 'passed' as const, target: `#demo.${next}`, actions: 'record' as const },
            { target: '#demo.resetting', actions: 'record' as const },
          ],
          onError: { target: '#demo.resetting', actions: { type: 'fail' as const, params } },
        },
      },
    },
  };
}

/**
 * The demo: each stage is an action followed by either the menu (GET / HEALTH / NEXT, answered by the
 * CLI) or, with `--yes`, an automatic observation checked against docs/architecture.md#the-seven-stages. A failed stage skips to
 * the reset so that the deployment is left in its initial configuration.
 */
export const demoMachine = demoSetup.createMachine({
  id: 'demo',
  context: ({ input }) => ({
    facts: input.facts,
    auto: input.auto,
    stageTimeoutMs: input.stageTimeoutMs,
    results: [],
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
      invoke: {
        src: 'applyStage',
        input: ({ context }) => ({
          stage: RESET_STAGE,
          facts: context.facts,
          deadline: Date.now() + context.stageTimeoutMs,
        }),
        onDone: [
          { guard: 'allPassed', target: 'succeeded', actions: 'merge' },
          { target: 'failed', actions: 'merge' },
        ],
        onError: { target: 'failed', actions: { type: 'fail', params: { stage: RESET_STAGE } } },
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
