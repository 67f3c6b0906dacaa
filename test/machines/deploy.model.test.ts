import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnyMachineSnapshot } from 'xstate';
import { TestModel } from 'xstate/graph';
import { type DeployOutput, deployMachine } from '../../machines/deploy.ts';
import { type DriveResult, drive } from '../../src/run/drive.ts';
import { destroyRun } from '../../src/run/index.ts';
import { deployActors } from '../../src/steps/deploy.ts';
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

/** How each deploy step's outcomes are produced by the fake (deploy is sequential: any call will do). */
const INJECTIONS: Record<string, Injection> = {
  preflight: {},
  creatingTable: {},
  tableCreating: { notReady: 'dynamodb.describeTable' },
  populatingTable: { notReady: 'dynamodb.putItems' },
  puttingParameters: {},
  creatingInstanceIam: {},
  creatingBcIam: {},
  creatingLaunchTemplate: { notReady: 'ec2.createLaunchTemplate' },
  creatingGroup: { notReady: 'autoscaling.createGroup' },
  creatingTargetGroup: {},
  creatingLoadBalancer: {},
  lbProvisioning: { notReady: 'elbv2.describeLoadBalancer' },
  creatingListener: {},
  attachingTargetGroup: {},
  // The endpoint check only GETs (never throws, never throttled): it can only be not ready or time out.
  verifyingEndpoint: { notReady: 'get', canFail: false, canThrottle: false },
};

/** What each step records as created in the ledger (listeners go with their load balancer). */
const CREATES: Record<string, string[]> = {
  creatingTable: [`table ${NAMES.table}`],
  puttingParameters: Object.values(NAMES.parameters).map((p) => `parameter ${p}`),
  creatingInstanceIam: ['policy', 'role', 'instance-profile'].map((k) => `${k} ${NAMES.instanceRole}`),
  creatingBcIam: ['policy', 'role', 'instance-profile'].map((k) => `${k} ${NAMES.bcRole}`),
  creatingLaunchTemplate: [`launch-template ${NAMES.launchTemplate}`],
  creatingGroup: [`auto-scaling-group ${NAMES.group}`],
  creatingTargetGroup: [`target-group ${NAMES.targetGroup}`],
  creatingLoadBalancer: [`load-balancer ${NAMES.loadBalancer}`],
  creatingListener: [`listener ${NAMES.loadBalancer}:80`],
};

const model = new TestModel(deployMachine, {
  input: { name: 'demo', policies: {} },
  // The INGRESS offer is AWS-only and needs repeated endpoint failures: proven in deploy-ingress.test.ts.
  events: modelEvents(INJECTIONS, { verifyingEndpoint: { needsIngress: false } }) as never,
  // One vertex per state value: contexts differ by timestamps and jitter, not by meaning.
  serializeState: (s) => JSON.stringify((s as AnyMachineSnapshot).value),
});
const paths = model.getSimplePaths();

const ENDS: Record<string, DeployOutput['outcome']> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timedOut: 'timed-out',
};

describe(`deploy: every simple path of the model (${paths.length} paths)`, () => {
  let h: ReturnType<typeof phaseHarness> | undefined;
  afterEach(() => {
    h?.cleanup();
    h = undefined;
  });

  it('has a path to every state of the deploy machine but the AWS-only ingress offer', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => JSON.stringify(s.state.value))));
    const all = Object.keys(deployMachine.root.states).map((s) => JSON.stringify(s));
    const missing = all.filter((s) => !reached.has(s));
    expect(missing.sort()).toEqual([
      '"addingIngress"',
      '"addingIngressRetry"',
      '"askingIngress"',
      '"endpointChecked"',
    ]);
  });

  describe.each(paths.map((p) => ({ path: p, name: pathName(p.state.value, planOf(p.steps)) })))(
    '$name',
    ({ path }) => {
      it('the real steps over the fake cloud follow the path; ledger and checkpoint hold per state; destroy leaves nothing', async () => {
        h = phaseHarness();
        const harness = h;
        const plan = planOf(path.steps);
        const { host, deps } = harness.process(plan, INJECTIONS);
        const result: DriveResult = await drive({
          machine: deployMachine.provide({ actors: deployActors(deps) }),
          store: harness.store,
          host,
          input: { name: 'demo', policies: policiesFor(plan) },
          prompts: () => undefined,
          onSaved: harness.onSaved,
        });

        // The checkpoint went through the path's states in order (a path ending in a wait state
        // continues: the injected condition passes and the deploy completes).
        const expected = path.steps.map((s) => JSON.stringify(s.state.value));
        const seen = collapse(harness.saves.map((s) => JSON.stringify(s.value)));
        const end = JSON.stringify(path.state.value).replaceAll('"', '');
        expect(end in ENDS ? seen : seen.slice(0, expected.length)).toEqual(expected);
        expectRetriesCausedByTheInjection(plan, host.events);

        const completed: string[] = [];
        let current: string | undefined;
        for (const save of harness.saves) {
          const state = String(save.value);
          if (state !== current) {
            if (current !== undefined && plan.get(current) === 'done')
              completed.push(...(CREATES[current] ?? []));
            current = state;
          }
          // Disk and memory agree: the file holds this very state.
          expect(save.file.snapshot).toMatchObject({ value: save.value });
          const created = save.file.ledger
            .filter((e) => e.status === 'created')
            .map((e) => `${e.kind} ${e.name}`);
          const recorded = save.file.ledger.map((e) => `${e.kind} ${e.name}`);
          // Everything a finished step made is recorded as created ...
          for (const r of completed) expect(created).toContain(r);
          // ... and nothing exists in the cloud that the ledger does not know (instances go by tag).
          for (const r of save.cloud.filter((c) => !c.startsWith('instance ') && !c.startsWith('listener ')))
            expect(recorded).toContain(r);
        }

        expect(result.status).toBe('done');
        const output = (result as { output: DeployOutput }).output;
        const last = harness.saves.at(-1);
        expect(last?.file.snapshot).toMatchObject({ status: 'done' });
        if (end in ENDS) {
          expect(output.outcome).toBe(ENDS[end]);
          const failedStep = [...plan].find(([, o]) => o === 'fatal' || o === 'timeout')?.[0];
          expect(output.failedStep).toBe(failedStep);
          if (plan.get(failedStep ?? '') === 'fatal') expect(output.error).toMatch(/injected fatal error/);
        } else {
          expect(output.outcome).toBe('succeeded');
          expect(host.events).toContainEqual(expect.objectContaining({ type: 'step-retrying' }));
        }
        expect(harness.cloud.faults.pending).toBe(0);

        // Whatever the path left, destroy --from-state removes it.
        harness.store.release();
        const destroyed = await destroyRun({
          stateDir: harness.stateDir,
          fromState: harness.store.path,
          host: recordingHost(),
          aws: harness.cloud.aws,
          get: harness.cloud.get,
        });
        expect(destroyed.outcome).toBe('succeeded');
        expect(harness.cloud.leftovers()).toEqual([]);
        expect(harness.cloud.duplicates()).toEqual([]);
        expect(existsSync(harness.store.path)).toBe(false);
      });
    },
  );
});
