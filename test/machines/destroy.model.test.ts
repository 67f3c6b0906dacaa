import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type AnyMachineSnapshot, type AnyStateMachine, createMachine } from 'xstate';
import { TestModel } from 'xstate/graph';
import { type DeployOutput, deployMachine } from '../../machines/deploy.ts';
import { type DestroyOutput, destroyMachine } from '../../machines/destroy.ts';
import { type DriveResult, drive } from '../../src/run/drive.ts';
import { destroyRun } from '../../src/run/index.ts';
import { deployActors } from '../../src/steps/deploy.ts';
import { destroyActors } from '../../src/steps/destroy.ts';
import { recordingHost } from '../_support/recording-host.ts';
import {
  collapse,
  expectRetriesCausedByTheInjection,
  type Injection,
  modelEvents,
  pathName,
  planOf,
  policiesFor,
} from './_model/outcomes.ts';
import { NAMES, phaseHarness } from './_model/sut.ts';

/**
 * Destroy runs six chains in parallel, so its product graph has tens of thousands of states. The model
 * is therefore one machine per chain (the chain's own states, with the destroy machine's actions and
 * guards) plus one for the sweep and verification: every simple path of each is run through the whole
 * real destroy, the other chains taking their happy path, and checked on the chain's projection.
 */
const INJECTIONS: Record<string, Injection> = {
  detachingTargetGroup: { firstOp: 'autoscaling.detachTargetGroups' },
  // The chains run at once: each fault names the call it is for.
  deletingLoadBalancer: { firstOp: 'elbv2.describeLoadBalancer' },
  lbDeleting: { firstOp: 'elbv2.describeLoadBalancer' },
  deletingTargetGroup: { firstOp: 'elbv2.describeTargetGroup', notReady: 'elbv2.deleteTargetGroup' },
  scalingToZero: { firstOp: 'autoscaling.setSize' },
  instancesTerminating: { firstOp: 'autoscaling.describeGroup' },
  deletingGroup: { firstOp: 'autoscaling.deleteGroup', notReady: 'autoscaling.deleteGroup' },
  deletingLaunchTemplate: { firstOp: 'ec2.deleteLaunchTemplate' },
  deletingIam: { firstOp: 'iam.getInstanceProfile' },
  deletingTable: { firstOp: 'dynamodb.describeTable' },
  deletingParameters: { firstOp: 'ssm.deleteParameter' },
  revokingIngress: { firstOp: 'ec2.revokeIngress' },
  sweeping: { firstOp: 'ec2.instances' },
  verifying: { firstOp: 'elbv2.describeLoadBalancer' },
};

const INGRESS = `sg-default|203.0.113.7/32|80`;

/** What each step marks deleted in the ledger. */
const DELETES: Record<string, string[]> = {
  lbDeleting: [`load-balancer ${NAMES.loadBalancer}`, `listener ${NAMES.loadBalancer}:80`],
  deletingTargetGroup: [`target-group ${NAMES.targetGroup}`],
  deletingGroup: [`auto-scaling-group ${NAMES.group}`],
  deletingLaunchTemplate: [`launch-template ${NAMES.launchTemplate}`],
  deletingIam: ['policy', 'role', 'instance-profile'].flatMap((k) => [
    `${k} ${NAMES.instanceRole}`,
    `${k} ${NAMES.bcRole}`,
  ]),
  deletingTable: [`table ${NAMES.table}`],
  deletingParameters: Object.values(NAMES.parameters).map((p) => `parameter ${p}`),
  revokingIngress: [`ingress-rule ${INGRESS}`],
};

type StatesConfig = Record<string, { initial?: string; states?: Record<string, unknown> }>;
const rootStates = destroyMachine.config.states as StatesConfig;
const chains = rootStates.teardown?.states as StatesConfig;

/** A machine made of some of the destroy machine's states, with its actions, guards and actors. */
function part(initial: string, states: Record<string, unknown>): AnyStateMachine {
  return createMachine(
    { id: 'destroy', context: destroyMachine.config.context, initial, states } as never,
    destroyMachine.implementations as never,
  );
}

const FINAL_PART = [
  'sweeping',
  'sweepRetry',
  'verifying',
  'leftoversRemain',
  'verified',
  'succeeded',
  'failed',
  'timedOut',
];
const parts: { part: string; machine: AnyStateMachine }[] = [
  ...Object.entries(chains).map(([chain, c]) => ({
    part: chain,
    machine: part(c.initial ?? '', c.states ?? {}),
  })),
  {
    part: 'sweep and verify',
    machine: part('sweeping', Object.fromEntries(FINAL_PART.map((s) => [s, rootStates[s]]))),
  },
];

const input = { name: 'demo', facts: {}, policies: {} };
const cases = parts.flatMap(({ part: which, machine }) =>
  new TestModel(machine, {
    input,
    events: modelEvents(INJECTIONS, { verifying: { leftovers: [] }, sweeping: { swept: [] } }) as never,
    serializeState: (s) => JSON.stringify((s as AnyMachineSnapshot).value),
  })
    .getSimplePaths()
    .map((path) => ({
      part: which,
      path,
      name: `${which}: ${pathName(path.state.value, planOf(path.steps))}`,
    })),
);

/** The part's own state in a whole-destroy state value. */
function project(which: string, value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) {
    if (which === 'sweep and verify') return undefined;
    return String((value as { teardown: Record<string, unknown> }).teardown[which]);
  }
  return which === 'sweep and verify' ? String(value) : undefined;
}

describe(`destroy: every simple path of each chain and of the sweep (${cases.length} paths)`, () => {
  let h: ReturnType<typeof phaseHarness> | undefined;
  afterEach(() => {
    h?.cleanup();
    h = undefined;
  });

  it('covers every state of the destroy machine', () => {
    const reached = new Set(
      cases.flatMap(({ part: which, path }) =>
        path.steps.map((s) => `${which === 'sweep and verify' ? '' : `${which}.`}${String(s.state.value)}`),
      ),
    );
    const all = [
      ...Object.entries(chains).flatMap(([c, cfg]) => Object.keys(cfg.states ?? {}).map((s) => `${c}.${s}`)),
      ...FINAL_PART.filter((s) => s !== 'verified'),
    ];
    expect(all.filter((s) => !reached.has(s))).toEqual([]);
  });

  describe.each(cases)('$name', ({ part: which, path }) => {
    it('the real destroy follows the path; deleted means gone, per state; a second destroy finishes the job', async () => {
      h = phaseHarness();
      const harness = h;
      const deployer = harness.process(new Map(), {});
      const deployed: DriveResult = await drive({
        machine: deployMachine.provide({ actors: deployActors(deployer.deps) }),
        store: harness.store,
        host: deployer.host,
        input: { name: 'demo', policies: policiesFor(new Map()) },
        prompts: () => undefined,
      });
      const facts = (deployed as { output: DeployOutput }).output.facts;
      // As if deploy had opened port 80 to the caller on AWS: revokingIngress has a rule to remove.
      harness.store.ledger.intend('ingress-rule', INGRESS);
      await harness.cloud.aws.ec2.authorizeIngress({
        groupId: 'sg-default',
        cidr: '203.0.113.7/32',
        port: 80,
        tags: [],
      });
      harness.store.ledger.created('ingress-rule', INGRESS);

      const plan = planOf(path.steps);
      const { host, deps } = harness.process(plan, INJECTIONS);
      const result = await drive({
        machine: destroyMachine.provide({ actors: destroyActors(deps) }),
        store: harness.store,
        host,
        input: { name: 'demo', facts, policies: policiesFor(plan) },
        prompts: () => undefined,
        onSaved: harness.onSaved,
      });

      const expected = path.steps.map((s) => String(s.state.value));
      const seen = collapse(harness.saves.flatMap((s) => project(which, s.value) ?? []));
      // The chain that ends last leaves the teardown in the same step as it ends: that final state is
      // never a checkpoint of its own.
      const last = expected.at(-1) ?? '';
      const implied = which !== 'sweep and verify' && ['done', 'failed', 'timedOut'].includes(last);
      expect(seen.slice(0, expected.length)).toEqual(
        implied && seen.length === expected.length - 1 ? expected.slice(0, -1) : expected,
      );
      expectRetriesCausedByTheInjection(plan, host.events);

      for (const save of harness.saves) {
        expect(save.file.snapshot).toMatchObject({ value: save.value });
        // What the ledger calls deleted is gone from the cloud, at every checkpoint.
        for (const e of save.file.ledger.filter((x) => x.status === 'deleted'))
          expect(save.cloud).not.toContain(`${e.kind} ${e.name}`);
      }
      const ledger = harness.saves.at(-1)?.file.ledger ?? [];
      const status = (r: string) => ledger.find((e) => `${e.kind} ${e.name}` === r)?.status;
      for (const [step, outcome] of plan) {
        if (outcome === 'done')
          for (const r of DELETES[step] ?? []) expect([r, status(r)]).toEqual([r, 'deleted']);
      }

      const output = (result as { output: DestroyOutput }).output;
      const broken = [...plan].find(([, o]) => o === 'fatal' || o === 'timeout')?.[0];
      if (broken === undefined) {
        expect(output).toEqual({ outcome: 'succeeded', errors: {}, leftovers: [] });
        expect(harness.cloud.leftovers()).toEqual([]);
      } else {
        expect(output.outcome).not.toBe('succeeded');
        expect(Object.keys(output.errors)).toContain(broken);
      }
      expect(harness.cloud.faults.pending).toBe(0);

      // Destroy again, from the checkpoint file, as a user would after a failed destroy.
      harness.store.release();
      const again = await destroyRun({
        stateDir: harness.stateDir,
        fromState: harness.store.path,
        host: recordingHost(),
        aws: harness.cloud.aws,
        get: harness.cloud.get,
      });
      expect(again.outcome).toBe('succeeded');
      expect(harness.cloud.leftovers()).toEqual([]);
      expect(existsSync(harness.store.path)).toBe(false);
    });
  });
});
