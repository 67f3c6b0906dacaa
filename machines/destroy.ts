import { assign, setup } from 'xstate';
import type { DeployFacts } from './deploy.ts';
import { sleepUntil } from './sleep.ts';
import {
  canRetry,
  emptyBook,
  enterStep,
  exhaustedReason,
  failureOf,
  finishedStep,
  placeholderSteps,
  policyFor,
  resultOf,
  retriedStep,
  type StepBook,
  type StepPolicy,
  stepStates,
} from './step-kit.ts';

/** Facts destroy learns: what the sweep found and what is left at the end. */
export interface DestroyFacts extends DeployFacts {
  readonly swept?: readonly string[];
  readonly leftovers?: readonly string[];
}

export interface DestroyInput {
  readonly name: string;
  readonly facts: DeployFacts;
  readonly policies: Readonly<Record<string, StepPolicy>>;
}

export interface DestroyContext {
  readonly name: string;
  readonly facts: DestroyFacts;
  readonly book: StepBook;
  readonly policies: Readonly<Record<string, StepPolicy>>;
  /** Per step: why it failed. A failed chain does not stop the others, the sweep or the verification. */
  readonly errors: Readonly<Record<string, string>>;
  readonly outcome?: DestroyOutput['outcome'];
}

export interface DestroyOutput {
  readonly outcome: 'succeeded' | 'failed' | 'timed-out';
  readonly errors: Readonly<Record<string, string>>;
  readonly leftovers: readonly string[];
}

export const DESTROY_STEPS = [
  'detachingTargetGroup',
  'deletingLoadBalancer',
  'lbDeleting',
  'deletingTargetGroup',
  'scalingToZero',
  'instancesTerminating',
  'deletingGroup',
  'deletingLaunchTemplate',
  'deletingIam',
  'deletingTable',
  'deletingParameters',
  'revokingIngress',
  'sweeping',
  'verifying',
] as const;
export type DestroyStep = (typeof DESTROY_STEPS)[number];

/** Wait states, named for what they wait on (seed "Destroy": ResourceInUse, ScalingActivityInProgress). */
export const DESTROY_RETRY_STATES: Readonly<Record<DestroyStep, string>> = {
  detachingTargetGroup: 'detachingTargetGroupRetry',
  deletingLoadBalancer: 'deletingLoadBalancerRetry',
  lbDeleting: 'lbNotYetDeleted',
  deletingTargetGroup: 'targetGroupInUse',
  scalingToZero: 'scalingToZeroRetry',
  instancesTerminating: 'instancesStillRunning',
  deletingGroup: 'scalingActivityInProgress',
  deletingLaunchTemplate: 'deletingLaunchTemplateRetry',
  deletingIam: 'iamInUse',
  deletingTable: 'tableInUse',
  deletingParameters: 'deletingParametersRetry',
  revokingIngress: 'revokingIngressRetry',
  sweeping: 'sweepRetry',
  verifying: 'leftoversRemain',
};

const stepActors = placeholderSteps<DestroyFacts, DestroyStep>('destroy', DESTROY_STEPS);

const destroySetup = setup({
  types: {
    context: {} as DestroyContext,
    input: {} as DestroyInput,
    output: {} as DestroyOutput,
    tags: {} as 'step' | 'waiting',
  },
  actors: { ...stepActors, sleepUntil },
  actions: {
    enter: assign(({ context }, params: { step: string }) => ({
      book: enterStep(context.book, params.step, policyFor(context.policies, params.step), Date.now()),
    })),
    finish: assign(({ context, event }, params: { step: string }) =>
      finishedStep(context, event, params.step),
    ),
    retry: assign(({ context, event }, params: { step: string }) => ({
      book: retriedStep(context.book, context.policies, event, params.step),
    })),
    fail: assign(({ context, event }, params: { step: string }) => ({
      errors: { ...context.errors, [params.step]: failureOf(event) },
    })),
    exhausted: assign(({ context }, params: { step: string }) => ({
      errors: { ...context.errors, [params.step]: exhaustedReason(context.book, params.step) },
    })),
  },
  guards: {
    isRetry: ({ event }) => resultOf(event)?.outcome === 'retry',
    isTimeout: ({ event }) => resultOf(event)?.outcome === 'timeout',
    canRetry: ({ context }, params: { step: string }) =>
      canRetry(context.book, params.step, policyFor(context.policies, params.step)),
    clean: ({ context }) =>
      Object.keys(context.errors).length === 0 && (context.facts.leftovers ?? []).length === 0,
  },
});

/** A step state and its retry state, named per DESTROY_RETRY_STATES. `next` is where a done result goes. */
const steps = (step: DestroyStep, next: string) =>
  stepStates<DestroyFacts, DestroyContext>(step, next, DESTROY_RETRY_STATES[step]);

/** Each chain ends in `done`, `failed` or `timedOut`; all three are final so the others run to the end. */
const ends = {
  done: { type: 'final' as const },
  failed: { type: 'final' as const },
  timedOut: { type: 'final' as const },
};

/**
 * Destroy, in the seed's order where order matters and in parallel where it does not: target group
 * detached from the Auto Scaling group → load balancer → (wait deleted) → target group (retried while
 * still in use); group to zero → instances terminated →
 * group (retried while a scaling activity runs) → launch template; IAM; table; parameters; our ingress
 * rule. Then a sweep by tag and by name for whatever the ledger missed, and a verification.
 */
export const destroyMachine = destroySetup.createMachine({
  id: 'destroy',
  context: ({ input }) => ({
    name: input.name,
    facts: input.facts,
    book: emptyBook(),
    policies: input.policies,
    errors: {},
  }),
  initial: 'teardown',
  states: {
    teardown: {
      type: 'parallel',
      onDone: 'sweeping',
      states: {
        loadBalancer: {
          initial: 'detachingTargetGroup',
          states: {
            ...steps('detachingTargetGroup', 'deletingLoadBalancer'),
            ...steps('deletingLoadBalancer', 'lbDeleting'),
            ...steps('lbDeleting', 'deletingTargetGroup'),
            ...steps('deletingTargetGroup', 'done'),
            ...ends,
          },
        },
        group: {
          initial: 'scalingToZero',
          states: {
            ...steps('scalingToZero', 'instancesTerminating'),
            ...steps('instancesTerminating', 'deletingGroup'),
            ...steps('deletingGroup', 'deletingLaunchTemplate'),
            ...steps('deletingLaunchTemplate', 'done'),
            ...ends,
          },
        },
        iam: { initial: 'deletingIam', states: { ...steps('deletingIam', 'done'), ...ends } },
        table: { initial: 'deletingTable', states: { ...steps('deletingTable', 'done'), ...ends } },
        parameters: {
          initial: 'deletingParameters',
          states: { ...steps('deletingParameters', 'done'), ...ends },
        },
        ingress: {
          initial: 'revokingIngress',
          states: { ...steps('revokingIngress', 'done'), ...ends },
        },
      },
    },
    ...steps('sweeping', 'verifying'),
    ...steps('verifying', 'verified'),
    verified: { always: [{ guard: 'clean', target: 'succeeded' }, { target: 'failed' }] },
    succeeded: { type: 'final', entry: assign({ outcome: 'succeeded' as const }) },
    failed: { type: 'final', entry: assign({ outcome: 'failed' as const }) },
    timedOut: { type: 'final', entry: assign({ outcome: 'timed-out' as const }) },
  },
  output: ({ context }) => ({
    outcome: context.outcome ?? 'failed',
    errors: context.errors,
    leftovers: context.facts.leftovers ?? [],
  }),
});

export type DestroyMachine = typeof destroyMachine;
