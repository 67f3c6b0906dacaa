import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AnyActorLogic, createActor, type InputFrom, type OutputFrom, toPromise } from 'xstate';
import type { DemoFacts, StageInput, StageResult } from '../../machines/demo.ts';
import { type DeployOutput, deployMachine } from '../../machines/deploy.ts';
import type { RunEvent } from '../../src/events.ts';
import { drive } from '../../src/run/drive.ts';
import { demoActors, NOT_A_TABLE } from '../../src/steps/demo.ts';
import { deployActors } from '../../src/steps/deploy.ts';
import { policiesFor } from '../machines/_model/outcomes.ts';
import { NAMES, phaseHarness } from '../machines/_model/sut.ts';

/** Runs one promise actor to its result. */
const run = <L extends AnyActorLogic>(logic: L, input: InputFrom<L>): Promise<OutputFrom<L>> =>
  toPromise(createActor(logic, { input }).start());

describe('demo steps over the fake cloud (real instances, load balancer and health semantics)', () => {
  let h: ReturnType<typeof phaseHarness>;
  let facts: DemoFacts;
  let events: RunEvent[];
  let actors: ReturnType<typeof demoActors>;

  beforeEach(async () => {
    h = phaseHarness();
    const deployer = h.process(new Map(), {});
    const deployed = await drive({
      machine: deployMachine.provide({ actors: deployActors(deployer.deps) }),
      store: h.store,
      host: deployer.host,
      input: { name: 'demo', policies: policiesFor(new Map()) },
      prompts: () => undefined,
    });
    facts = (deployed as { output: DeployOutput }).output.facts;
    const { host, deps } = h.process(new Map(), {});
    events = host.events;
    actors = demoActors(deps, { probeIntervalMs: 1 });
  });
  afterEach(() => h.cleanup());

  const stage = (n: number, deadlineMs = 10_000, auto = true) => ({
    stage: n,
    facts,
    deadline: Date.now() + deadlineMs,
    auto,
  });
  /** Runs an act or settle actor as the machine does: a `retry` is tried again (its facts kept). */
  const step = async (logic: typeof actors.act, input: StageInput): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const out = await run(logic, { ...input, facts, attempt });
      if (out.outcome === 'timeout') throw new Error(out.reason);
      if (out.facts !== undefined) facts = { ...facts, ...out.facts };
      if (out.outcome === 'done') return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const apply = async (n: number, deadlineMs?: number, auto = true) => {
    const input = stage(n, deadlineMs, auto);
    await step(actors.act, input);
    await step(actors.settle, input);
  };
  const observe = (n: number, deadlineMs?: number): Promise<StageResult> =>
    run(actors.observeStage, stage(n, deadlineMs));

  it('each stage’s action leads to the outcome its row of the stage table expects, and the reset restores the table', async () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7]) {
      await apply(n);
      const result = await observe(n);
      expect({ stage: n, reasons: result.reasons }).toEqual({ stage: n, reasons: [] });
      if (n === 4) {
        // The chosen instance now carries the SSM-only profile and serves the static item.
        const bad = facts.badInstanceId ?? '';
        const association = await h.cloud.aws.ec2.profileAssociation(bad);
        expect(association?.profileArn).toMatch(new RegExp(`/${NAMES.bcProfile}$`));
      }
      if (n === 6) {
        const group = await h.cloud.aws.autoscaling.describeGroup(NAMES.group);
        const ids = (group?.Instances ?? []).map((i) => i.InstanceId);
        expect(ids).toHaveLength(3);
        expect(ids).not.toContain(facts.badInstanceId);
      }
    }
    expect(h.cloud.world.parameters.get(NAMES.parameters.table)).toBe(NOT_A_TABLE);
    await apply(8);
    expect(h.cloud.world.parameters.get(NAMES.parameters.table)).toBe(NAMES.table);
    const observed = events.flatMap((e) => (e.type === 'observation' ? [[e.stage, e.pass]] : []));
    expect(observed).toEqual([1, 2, 3, 4, 5, 6, 7].map((s) => [s, true]));
  });

  it('an observation that does not hold by its deadline fails with the reasons, and says so', async () => {
    await apply(1);
    // Stage 2 expects 502s, but its action (break the table parameter) was never applied.
    const result = await observe(2, 0);
    expect(result.pass).toBe(false);
    expect(result.reasons.join(' ')).toMatch(/expected 502, saw 200/);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'observation', stage: 2, pass: false, statusCounts: { 200: 9 } }),
    );
  });

  it('stage 4 waits while EC2 does not yet see the SSM-only profile, then swaps it', async () => {
    for (const n of [1, 2, 3]) await apply(n);
    h.cloud.faults.arm('retryable', { op: 'ec2.replaceProfileAssociation', times: 2 });
    await apply(4);
    expect(h.cloud.faults.fired.filter((f) => f.op === 'ec2.replaceProfileAssociation')).toHaveLength(2);
    expect((await observe(4)).pass).toBe(true);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'wait-progress', what: `profile ${NAMES.bcProfile} to be usable` }),
    );
  });

  it('a stage that cannot reach its state by the deadline fails with a timeout, not a hang', async () => {
    await apply(1);
    h.cloud.faults.arm('retryable', { op: 'ec2.replaceProfileAssociation', times: 1_000 });
    await expect(apply(4, 120)).rejects.toThrow(/timed out waiting for profile/);
  });

  it('the menu actions report one classified GET and the target health', async () => {
    await apply(1);
    await run(actors.sendGet, stage(1));
    await run(actors.checkHealth, stage(1));
    const get = events.find((e) => e.type === 'get-result');
    expect(get).toMatchObject({ url: `http://${facts.dnsName}/`, result: { status: 200, kind: 'real' } });
    const health = events.find((e) => e.type === 'target-health');
    expect(health?.type === 'target-health' && health.targets.map((t) => t.state)).toEqual([
      'healthy',
      'healthy',
      'healthy',
    ]);
  });

  it('stage 6 without the instance stage 4 chose is refused', async () => {
    await expect(run(actors.act, stage(6))).rejects.toThrow(/stage 6 without a bad instance/);
  });
});
