import { and, assign, setup } from 'xstate';
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

/** What deploy learns and later phases use. All plain JSON: it is persisted in the snapshot. */
export interface DeployFacts {
  readonly accountId?: string;
  readonly partition?: string;
  readonly vpcId?: string;
  readonly zones?: readonly string[];
  readonly subnetIds?: readonly string[];
  readonly amiId?: string;
  readonly launchTemplateId?: string;
  readonly targetGroupArn?: string;
  readonly loadBalancerArn?: string;
  readonly dnsName?: string;
  readonly listenerArn?: string;
  /** Set by the endpoint check on AWS when the default security group does not let the caller in. */
  readonly needsIngress?: boolean;
  readonly securityGroupId?: string;
  /** The caller's address as a /32: the only ingress resilient ever offers to add. */
  readonly callerCidr?: string;
  readonly ingressAdded?: boolean;
  readonly ingressDeclined?: boolean;
}

export interface DeployInput {
  readonly name: string;
  readonly policies: Readonly<Record<string, StepPolicy>>;
}

export interface DeployContext {
  readonly name: string;
  readonly facts: DeployFacts;
  readonly book: StepBook;
  readonly policies: Readonly<Record<string, StepPolicy>>;
  readonly error?: string;
  readonly failedStep?: string;
  readonly outcome?: DeployOutput['outcome'];
}

export type DeployEvent = { type: 'INGRESS'; allow: boolean };

export interface DeployOutput {
  readonly outcome: 'succeeded' | 'failed' | 'timed-out';
  readonly facts: DeployFacts;
  readonly error?: string;
  readonly failedStep?: string;
}

/** The steps, in order. Each is a named actor: the persistence contract and the `.provide()` seam. */
export const DEPLOY_STEPS = [
  'preflight',
  'creatingTable',
  'tableCreating',
  'populatingTable',
  'puttingParameters',
  'creatingInstanceIam',
  'creatingBcIam',
  'creatingLaunchTemplate',
  'creatingGroup',
  'creatingTargetGroup',
  'creatingLoadBalancer',
  'lbProvisioning',
  'creatingListener',
  'attachingTargetGroup',
  'verifyingEndpoint',
  'addingIngress',
] as const;
export type DeployStep = (typeof DEPLOY_STEPS)[number];

/** The wait state a step goes to while the cloud is not ready, named for what it waits on. */
export const DEPLOY_RETRY_STATES: Readonly<Record<DeployStep, string>> = {
  preflight: 'preflightRetry',
  creatingTable: 'creatingTableRetry',
  tableCreating: 'tableNotYetActive',
  populatingTable: 'populatingTableRetry',
  puttingParameters: 'puttingParametersRetry',
  creatingInstanceIam: 'instanceIamRetry',
  creatingBcIam: 'bcIamRetry',
  creatingLaunchTemplate: 'profileNotYetVisible',
  creatingGroup: 'groupProfileNotYetVisible',
  creatingTargetGroup: 'creatingTargetGroupRetry',
  creatingLoadBalancer: 'creatingLoadBalancerRetry',
  lbProvisioning: 'lbNotYetActive',
  creatingListener: 'creatingListenerRetry',
  attachingTargetGroup: 'attachingTargetGroupRetry',
  verifyingEndpoint: 'endpointNotYetServing',
  addingIngress: 'addingIngressRetry',
};

const stepActors = placeholderSteps<DeployFacts, DeployStep>('deploy', DEPLOY_STEPS);

const deploySetup = setup({
  types: {
    context: {} as DeployContext,
    input: {} as DeployInput,
    events: {} as DeployEvent,
    output: {} as DeployOutput,
    tags: {} as 'step' | 'waiting' | 'prompt',
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
    fail: assign(({ event }, params: { step: string }) => ({
      error: failureOf(event),
      failedStep: params.step,
    })),
    exhausted: assign(({ context }, params: { step: string }) => ({
      error: exhaustedReason(context.book, params.step),
      failedStep: params.step,
    })),
  },
  guards: {
    isRetry: ({ event }) => resultOf(event)?.outcome === 'retry',
    isTimeout: ({ event }) => resultOf(event)?.outcome === 'timeout',
    canRetry: ({ context }, params: { step: string }) =>
      canRetry(context.book, params.step, policyFor(context.policies, params.step)),
    needsIngress: ({ context }) => context.facts.needsIngress === true,
    ingressAlreadyAdded: ({ context }) => context.facts.ingressAdded === true,
    allowed: ({ event }) => event.type === 'INGRESS' && event.allow,
  },
});

/** A step state and its retry state, named per DEPLOY_RETRY_STATES. `next` is where a done result goes. */
const steps = (step: DeployStep, next: string) =>
  stepStates<DeployFacts, DeployContext>(step, next, DEPLOY_RETRY_STATES[step]);

/**
 * Deploy: preflight before anything is created, then table → parameters → IAM → launch template →
 * Auto Scaling group → target group → load balancer (wait active) → listener → attach → verify the
 * endpoint (on AWS, offering an ingress rule for the caller's /32 when the security group blocks it).
 */
export const deployMachine = deploySetup.createMachine({
  id: 'deploy',
  context: ({ input }) => ({ name: input.name, facts: {}, book: emptyBook(), policies: input.policies }),
  initial: 'preflight',
  states: {
    ...steps('preflight', 'creatingTable'),
    ...steps('creatingTable', 'tableCreating'),
    ...steps('tableCreating', 'populatingTable'),
    ...steps('populatingTable', 'puttingParameters'),
    ...steps('puttingParameters', 'creatingInstanceIam'),
    ...steps('creatingInstanceIam', 'creatingBcIam'),
    ...steps('creatingBcIam', 'creatingLaunchTemplate'),
    ...steps('creatingLaunchTemplate', 'creatingGroup'),
    ...steps('creatingGroup', 'creatingTargetGroup'),
    ...steps('creatingTargetGroup', 'creatingLoadBalancer'),
    ...steps('creatingLoadBalancer', 'lbProvisioning'),
    ...steps('lbProvisioning', 'creatingListener'),
    ...steps('creatingListener', 'attachingTargetGroup'),
    ...steps('attachingTargetGroup', 'verifyingEndpoint'),
    ...steps('verifyingEndpoint', 'endpointChecked'),
    endpointChecked: {
      always: [
        {
          guard: and(['needsIngress', 'ingressAlreadyAdded']),
          target: 'failed',
          actions: assign({
            error: 'The load balancer endpoint is still unreachable after opening port 80 to this computer.',
            failedStep: 'verifyingEndpoint',
          }),
        },
        { guard: 'needsIngress', target: 'askingIngress' },
        { target: 'succeeded' },
      ],
    },
    askingIngress: {
      tags: ['prompt'],
      on: {
        INGRESS: [
          { guard: 'allowed', target: 'addingIngress' },
          {
            target: 'failed',
            actions: assign({
              error: 'The load balancer endpoint is unreachable and no ingress rule was added.',
              failedStep: 'verifyingEndpoint',
              facts: ({ context }) => ({ ...context.facts, ingressDeclined: true }),
            }),
          },
        ],
      },
    },
    ...steps('addingIngress', 'verifyingEndpoint'),
    succeeded: { type: 'final', entry: assign({ outcome: 'succeeded' as const }) },
    failed: { type: 'final', entry: assign({ outcome: 'failed' as const }) },
    timedOut: { type: 'final', entry: assign({ outcome: 'timed-out' as const }) },
  },
  output: ({ context }) => {
    return {
      outcome: context.outcome ?? 'failed',
      facts: context.facts,
      ...(context.error === undefined ? {} : { error: context.error }),
      ...(context.failedStep === undefined ? {} : { failedStep: context.failedStep }),
    };
  },
});

export type DeployMachine = typeof deployMachine;
