import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/checkpoint/schema.ts';
import type { RunResult } from '../../src/run/index.ts';
import { runHarness } from './_fakes/run-harness.ts';

/**
 * SIGKILL at every state a full run checkpoints (deploy, demo, destroy, and the run around them):
 * the file on disk at that instant is all a new process gets. The killed process's calls already on the
 * wire complete (created, never recorded); nothing after reaches the cloud. Then either `resume` or
 * `destroy --from-state` must end with nothing of the deployment left and nothing created twice.
 */

type Point = { key: string; scenario: Scenario };
type Scenario = 'instant' | 'waits';

/**
 * `waits`: the cloud makes each wait state happen once (table creating, profile not yet visible to EC2
 * and to Auto Scaling, load balancer provisioning, endpoint not serving, target group in use, scaling
 * activity in progress, a throttled IAM call), so a crash can land in a retry state and its durable timer.
 */
function arm(h: ReturnType<typeof runHarness>, scenario: Scenario): void {
  if (scenario === 'instant') return;
  const f = h.cloud.faults;
  for (const op of [
    'dynamodb.describeTable',
    'ec2.createLaunchTemplate',
    'autoscaling.createGroup',
    'elbv2.describeLoadBalancer',
    'get',
    'elbv2.deleteTargetGroup',
    'autoscaling.deleteGroup',
  ])
    f.arm('retryable', { op });
  f.arm('throttle', { op: 'iam.createRole' });
  f.arm('throttle', { op: 'iam.deleteInstanceProfile' });
}

/** Every state path of a full `--yes` run, in the order the checkpoint first records it. */
async function crashPoints(scenario: Scenario): Promise<string[]> {
  const h = runHarness();
  arm(h, scenario);
  const seen: string[] = [];
  try {
    const result = await h.start({
      onCheckpoint: ({ states }) => {
        for (const s of states) if (!seen.includes(s)) seen.push(s);
      },
    });
    if (result.outcome !== 'succeeded') throw new Error(`reference run ${result.outcome}`);
  } finally {
    h.cleanup();
  }
  // A run in a final state has nothing to resume; those are covered by the destroy tests.
  return seen.filter((s) => s !== 'finished' && s !== 'kept');
}

const instant = await crashPoints('instant');
const points: Point[] = [
  ...instant.map((key) => ({ key, scenario: 'instant' as const })),
  // Only what the waits add: the retry states.
  ...(await crashPoints('waits'))
    .filter((k) => !instant.includes(k))
    .map((key) => ({ key, scenario: 'waits' as const })),
];

/** Runs until the checkpoint first records `key`, keeps that file's bytes, then kills the process. */
async function crashAt(h: ReturnType<typeof runHarness>, { key, scenario }: Point) {
  arm(h, scenario);
  const session = h.cloud.session();
  const controller = new AbortController();
  let image: { path: string; bytes: Buffer; states: string[] } | undefined;
  const run = h.start({
    session,
    signal: controller.signal,
    onCheckpoint: ({ path, states }) => {
      if (image !== undefined || !states.includes(key)) return;
      image = { path, bytes: readFileSync(path), states };
      session.kill();
      controller.abort();
    },
  });
  const first: RunResult = await run;
  if (image === undefined) throw new Error(`the run never reached ${key} (${first.outcome})`);
  // Whatever the dying process wrote after the instant of the kill never reached the disk.
  writeFileSync(image.path, image.bytes);
  return image;
}

/** Resources that existed at the crash although the checkpoint did not record them as created. */
const unrecorded = new Set<string>();

describe('crash at every checkpointed state of a run', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => {
    h?.cleanup();
    h = undefined;
  });

  it(`has crash points in every phase (${points.length} states)`, () => {
    const keys = points.map((p) => p.key);
    for (const phase of [
      'deploying',
      'deploy:',
      'demo',
      'demo:method.stage4.',
      'destroying',
      'destroy:teardown.',
    ])
      expect(keys.some((k) => k.startsWith(phase))).toBe(true);
    for (const wait of [
      'deploy:tableNotYetActive',
      'deploy:profileNotYetVisible',
      'deploy:groupProfileNotYetVisible',
      'deploy:lbNotYetActive',
      'deploy:endpointNotYetServing',
      'deploy:instanceIamRetry',
      'destroy:teardown.loadBalancer.targetGroupInUse',
      'destroy:teardown.group.scalingActivityInProgress',
      'destroy:teardown.iam.iamInUse',
    ])
      expect(keys).toContain(wait);
  });

  describe.each(points)('crash when the checkpoint first records $key ($scenario)', (point) => {
    const { key } = point;
    it('resume restores the nested machine where it was and completes, leaving nothing', async () => {
      h = runHarness();
      const image = await crashAt(h, point);
      const cloud = h.cloud;
      const restored: string[][] = [];
      const resumed = h.resume({ onCheckpoint: ({ states }) => restored.push(states) });
      const result = await resumed;
      expect(result.outcome).toBe('succeeded');
      // The first checkpoint after the restore still holds the state the crash left: the child machine
      // was restored in place (not restarted from its first state).
      expect(restored[0]).toEqual(expect.arrayContaining(image.states.filter((s) => s.includes(':'))));
      expect(cloud.leftovers()).toEqual([]);
      expect(cloud.duplicates()).toEqual([]);
      expect(existsSync(image.path)).toBe(false);
    });

    it('destroy --from-state deletes everything the crash left, recorded or not', async () => {
      h = runHarness();
      const image = await crashAt(h, point);
      const ledger = JSON.parse(image.bytes.toString('utf8')).ledger as LedgerEntry[];
      const before = h.cloud.leftovers();
      for (const line of before) {
        const [kind = '', name = ''] = line.split(' ');
        const entry = ledger.find((e) => e.kind === kind && e.name === name);
        if (kind !== 'instance' && kind !== 'listener' && entry?.status !== 'created')
          unrecorded.add(`${key}: ${line}`);
      }
      const destroying = h.destroy({ fromState: image.path });
      const result = await destroying;
      expect(result.outcome, JSON.stringify(result.destroy)).toBe('succeeded');
      expect(h.cloud.leftovers()).toEqual([]);
      expect(existsSync(image.path)).toBe(false);
      // Every resource the ledger recorded as created, and that was still there, was deleted by name.
      const deleted = new Set(
        destroying.host.events.flatMap((e) =>
          e.type === 'resource' && e.action === 'deleted' ? [`${e.kind} ${e.name}`] : [],
        ),
      );
      for (const e of ledger) {
        if (e.status === 'created' && e.kind !== 'listener' && before.includes(`${e.kind} ${e.name}`))
          expect(deleted).toContain(`${e.kind} ${e.name}`);
      }
    });
  });

  it('met resources that existed at the crash without being recorded as created, and destroyed them', () => {
    expect(unrecorded.size).toBeGreaterThan(0);
  });
});

/** The states a standalone `destroy` goes through, from a kept deployment. */
async function destroyPoints(): Promise<string[]> {
  const h = runHarness();
  const seen: string[] = [];
  try {
    if ((await h.start({ keep: true })).outcome !== 'kept') throw new Error('reference run not kept');
    const result = await h.destroy({
      onCheckpoint: ({ states }) => {
        for (const s of states) if (!seen.includes(s)) seen.push(s);
      },
    });
    if (result.outcome !== 'succeeded') throw new Error(`reference destroy ${result.outcome}`);
  } finally {
    h.cleanup();
  }
  return seen.filter((s) => s !== 'succeeded');
}

describe.each(await destroyPoints())('crash inside `destroy` when it reaches %s', (key) => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => {
    h?.cleanup();
    h = undefined;
  });

  it('a second destroy finishes the job and removes the checkpoint', async () => {
    h = runHarness();
    expect((await h.start({ keep: true })).outcome).toBe('kept');
    const session = h.cloud.session();
    const controller = new AbortController();
    let image: { path: string; bytes: Buffer } | undefined;
    await h.destroy({
      session,
      signal: controller.signal,
      onCheckpoint: ({ path, states }) => {
        if (image !== undefined || !states.includes(key)) return;
        image = { path, bytes: readFileSync(path) };
        session.kill();
        controller.abort();
      },
    });
    if (image === undefined) throw new Error(`destroy never reached ${key}`);
    writeFileSync(image.path, image.bytes);
    const again = await h.destroy();
    expect(again.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
    expect(existsSync(image.path)).toBe(false);
  });
});
