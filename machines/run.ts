import { assign, sendTo, setup } from 'xstate';
import { type DemoOutput, demoMachine } from './demo.ts';
import { type DeployFacts, type DeployOutput, deployMachine } from './deploy.ts';
import { type DestroyOutput, destroyMachine } from './destroy.ts';
import type { StepPolicy } from './step-kit.ts';

export interface RunInput {
  readonly name: string;
  readonly policies: Readonly<Record<string, StepPolicy>>;
  readonly auto: boolean;
  readonly keep: boolean;
  readonly stageTimeoutMs: number;
}

export interface RunContext extends RunInput {
  readonly facts: DeployFacts;
  readonly deploy?: DeployOutput;
  readonly demo?: DemoOutput;
  readonly destroy?: DestroyOutput;
}

export type RunEventType =
  | { type: 'INGRESS'; allow: boolean }
  | { type: 'GET' }
  | { type: 'HEALTH' }
  | { type: 'NEXT' }
  | { type: 'CONFIRM'; destroy: boolean };

export type RunOutcome = 'succeeded' | 'failed' | 'timed-out' | 'kept';

export interface RunOutput {
  readonly outcome: RunOutcome;
  readonly deploy?: DeployOutput;
  readonly demo?: DemoOutput;
  readonly destroy?: DestroyOutput;
}

/** Increment when states, context or actor names change: checkpoints of another version are refused. */
export const MACHINE_VERSION = 'run-2';

/** The run's outcome from its phases: the first phase that did not succeed decides. */
export function runOutcome(
  context: Pick<RunContext, 'deploy' | 'demo' | 'destroy'>,
  kept: boolean,
): RunOutcome {
  const phases = [context.deploy?.outcome, context.demo?.outcome, context.destroy?.outcome];
  if (phases.includes('timed-out')) return 'timed-out';
  if (phases.includes('failed')) return 'failed';
  return kept ? 'kept' : 'succeeded';
}

/**
 * A run composes the three phase machines as invoked children: deploy → demo (only after a successful
 * deploy) → confirm → destroy, or keep (`--keep`, or the user says no). A failed deploy or demo still
 * goes on to destroy so that nothing is left behind.
 */
export const runMachine = setup({
  types: {
    context: {} as RunContext,
    input: {} as RunInput,
    events: {} as RunEventType,
    output: {} as RunOutput,
    tags: {} as 'prompt',
  },
  actors: { deploy: deployMachine, demo: demoMachine, destroy: destroyMachine },
  guards: {
    deployed: ({ context }) => context.deploy?.outcome === 'succeeded',
    keep: ({ context }) => context.keep,
    auto: ({ context }) => context.auto,
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
          facts: context.facts,
          auto: context.auto,
          stageTimeoutMs: context.stageTimeoutMs,
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
      },
    },
    confirming: {
      always: [
        { guard: 'keep', target: 'kept' },
        { guard: 'auto', target: 'destroying' },
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
