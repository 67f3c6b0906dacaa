import { assign, sendTo, setup } from 'xstate';
import type { Experiment } from '../src/drill/experiment.ts';
import { type DeployFacts, type DeployOutput, deployMachine } from './deploy.ts';
import { type DestroyOutput, destroyMachine } from './destroy.ts';
import { type DrillOutput, drillMachine } from './drill.ts';
import type { StepPolicy } from './step-kit.ts';

export interface RunInput {
  readonly name: string;
  readonly policies: Readonly<Record<string, StepPolicy>>;
  /** `--yes`: every question takes its default, and every stage is observed and judged. */
  readonly yes: boolean;
  readonly keep: boolean;
  readonly stageTimeoutMs: number;
  readonly timeScale: number;
  /** What the demo runs: the built-in seven stages or `--experiment FILE`, from the run plan. */
  readonly experiment: Experiment;
}

export interface RunContext extends RunInput {
  readonly facts: DeployFacts;
  readonly deploy?: DeployOutput;
  readonly demo?: DrillOutput;
  readonly destroy?: DestroyOutput;
}

export type RunEventType =
  | { type: 'INGRESS'; allow: boolean }
  | { type: 'GET' }
  | { type: 'HEALTH' }
  | { type: 'NEXT' }
  | { type: 'INTERRUPT' }
  | { type: 'RESUME' }
  | { type: 'CONFIRM'; destroy: boolean };

export type RunOutcome = 'succeeded' | 'failed' | 'timed-out' | 'kept';

export interface RunOutput {
  readonly outcome: RunOutcome;
  readonly deploy?: DeployOutput;
  readonly demo?: DrillOutput;
  readonly destroy?: DestroyOutput;
}

/** Increment when states, context or actor names change: checkpoints of another version are refused. */
export const MACHINE_VERSION = 'run-3';

/** The run's outcome from its phases: the first phase that did not succeed decides. */
export function runOutcome(
  context: Pick<RunContext, 'deploy' | 'demo' | 'destroy'>,
  kept: boolean,
): RunOutcome {
  const demo =
    context.demo === undefined ? undefined : context.demo.outcome === 'passed' ? 'succeeded' : 'failed';
  const phases = [context.deploy?.outcome, demo, context.destroy?.outcome];
  if (phases.includes('timed-out')) return 'timed-out';
  if (phases.includes('failed')) return 'failed';
  return kept ? 'kept' : 'succeeded';
}

/**
 * A run composes three machines as invoked children: deploy → demo (the run plan's experiment as a
 * drill, only after a successful deploy) → confirm → destroy, or keep (`--keep`, or the user says no).
 * A failed deploy or demo still goes on to destroy so that nothing is left behind.
 */
export const runMachine = setup({
  types: {
    context: {} as RunContext,
    input: {} as RunInput,
    events: {} as RunEventType,
    output: {} as RunOutput,
    tags: {} as 'prompt',
  },
  actors: { deploy: deployMachine, demo: drillMachine, destroy: destroyMachine },
  guards: {
    deployed: ({ context }) => context.deploy?.outcome === 'succeeded',
    keep: ({ context }) => context.keep,
    yes: ({ context }) => context.yes,
    confirmed: ({ event }) => event.type === 'CONFIRM' && event.destroy,
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ ...input, facts: {} }),
  initial: 'deploying',
  states: {
    deploying: {
      invoke: {
        id: 'deploy',
        src: 'deploy',
        input: ({ context }) => ({ name: context.name, policies: context.policies }),
        onDone: {
          target: 'deployed',
          actions: assign(({ event }) => ({ deploy: event.output, facts: event.output.facts })),
        },
      },
      on: { INGRESS: { actions: sendTo('deploy', ({ event }) => event) } },
    },
    deployed: { always: [{ guard: 'deployed', target: 'demo' }, { target: 'confirming' }] },
    demo: {
      invoke: {
        id: 'demo',
        src: 'demo',
        input: ({ context }) => ({
          experiment: context.experiment,
          facts: context.facts,
          yes: context.yes,
          stageTimeoutMs: context.stageTimeoutMs,
          timeScale: context.timeScale,
        }),
        onDone: {
          target: 'confirming',
          actions: assign(({ context, event }) => ({
            demo: event.output,
            facts: { ...context.facts, ...event.output.facts },
          })),
        },
      },
      on: {
        GET: { actions: sendTo('demo', ({ event }) => event) },
        HEALTH: { actions: sendTo('demo', ({ event }) => event) },
        NEXT: { actions: sendTo('demo', ({ event }) => event) },
        INTERRUPT: { actions: sendTo('demo', ({ event }) => event) },
        RESUME: { actions: sendTo('demo', ({ event }) => event) },
      },
    },
    confirming: {
      always: [
        { guard: 'keep', target: 'kept' },
        { guard: 'yes', target: 'destroying' },
      ],
      tags: ['prompt'],
      on: { CONFIRM: [{ guard: 'confirmed', target: 'destroying' }, { target: 'kept' }] },
    },
    destroying: {
      invoke: {
        id: 'destroy',
        src: 'destroy',
        input: ({ context }) => ({ name: context.name, facts: context.facts, policies: context.policies }),
        onDone: { target: 'finished', actions: assign(({ event }) => ({ destroy: event.output })) },
      },
    },
    finished: { type: 'final' },
    kept: { type: 'final' },
  },
  output: ({ context }) => ({
    outcome: runOutcome(context, context.destroy === undefined),
    ...(context.deploy === undefined ? {} : { deploy: context.deploy }),
    ...(context.demo === undefined ? {} : { demo: context.demo }),
    ...(context.destroy === undefined ? {} : { destroy: context.destroy }),
  }),
});

export type RunMachine = typeof runMachine;
