/**
 * Issue 4, "Done when": at time scale 0.05, the AWS CLI alone builds the seed's stack under the seed's
 * DEFAULT parameter names against the daemon process, and watches the seven stages (docs/architecture.md#the-seven-stages) behave as
 * listed: GETs with Node's fetch to `http://<DNSName>/`, target health with `aws elbv2
 * describe-target-health`. Then it tears everything down and checks with the CLI that nothing remains.
 * Every stage polls (bounded) until its row holds, then asserts the whole row.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTART_SERVER_COMMAND } from '../../../src/userdata/index.ts';
import { type Aws, awsCli, errorOf, ok } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';
import { until } from '../../_support/poll.ts';
import {
  deployWithCli,
  GROUP_SIZE,
  putParameter,
  remainingWithCli,
  SEED,
  type Stack,
  type TargetHealthDescription,
  targetHealth,
  teardownWithCli,
  writeStackFiles,
} from '../../_support/seed-stack.ts';
import { fetchItem, type Seen, sample } from './_helpers/lb-client.ts';

const TIME_SCALE = 0.05;
const BOGUS_TABLE = 'this-is-not-a-table';
const STAGE_DEADLINE_MS = 30_000;

// Timeouts are hang detectors: every CLI call is a Python process, and two cores are shared with other suites.
describe('the seven demo stages, driven and observed with the AWS CLI alone', { timeout: 180_000 }, () => {
  let daemon: DaemonProcess;
  let aws: Aws;
  let dir: string;
  let stack: Stack;
  let badInstance = '';

  const health = (): Promise<TargetHealthDescription[]> => targetHealth(aws, stack.targetGroupArn);
  const allHealth = async (state: string): Promise<TargetHealthDescription[] | undefined> => {
    const all = await health();
    return all.length === GROUP_SIZE && all.every((t) => t.TargetHealth.State === state) ? all : undefined;
  };
  const instancesOf = (seen: readonly Seen[]) => new Set(seen.map((s) => s.instanceId));
  const stage = <T>(what: string, check: () => Promise<T | undefined>) =>
    until(what, check, STAGE_DEADLINE_MS);
  /**
   * Samples batches of GETs until one shows the stage's row. A row is a steady state: on two busy cores a
   * server's 200 ms dependency timeout (shorter than the scaled health-check timeout, docs/architecture.md#the-recommendation-server) can turn
   * one read into a static item, and the next batch is clean again.
   */
  const sampleUntil = (what: string, n: number, holds: (batch: readonly Seen[]) => boolean) =>
    stage(what, async () => {
      const batch = await sample(stack.dnsName, n);
      return holds(batch) ? batch : undefined;
    });
  const real = (s: Seen): boolean => s.status === 200 && s.kind === 'real';
  const staticItem = (s: Seen): boolean => s.status === 200 && s.kind === 'static';

  beforeAll(async () => {
    daemon = await startDaemon(TIME_SCALE);
    aws = awsCli(daemon);
    dir = await mkdtemp(join(tmpdir(), 'resilient-cli-inputs-'));
    const files = await writeStackFiles(dir, {
      accountId: daemon.record.accountId,
      region: daemon.record.region,
    });
    stack = await deployWithCli(aws, files);
    // Stage 6 waits out the draining of the old target: 120 s is 6 s at this time scale (300 s would be 15),
    // long enough for a CLI poll to see the draining state even when each CLI call takes a second or two.
    await ok(
      aws,
      'elbv2',
      'modify-target-group-attributes',
      '--target-group-arn',
      stack.targetGroupArn,
      '--attributes',
      'Key=deregistration_delay.timeout_seconds,Value=120',
    );
    await stage('every target healthy', () => allHealth('healthy'));
  }, 180_000);
  afterAll(async () => {
    await daemon?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('1 initial: real items from several instances, every target healthy', async () => {
    const seen = await sampleUntil('real items', 9, (b) => b.every(real));
    expect(instancesOf(seen).size).toBeGreaterThan(1);
    expect(await allHealth('healthy')).toBeDefined();
  });

  it('2 broken dependency: table=this-is-not-a-table and failure-response none → 502, targets still healthy', async () => {
    await putParameter(aws, SEED.parameters.table, BOGUS_TABLE);
    // Each server caches its parameters for a short TTL: wait until every instance has seen the change.
    const seen = await stage('502 from every instance', async () => {
      const batch = await sample(stack.dnsName, 6);
      return batch.every((s) => s.status === 502) ? batch : undefined;
    });
    expect(seen).toHaveLength(6);
    expect(await allHealth('healthy')).toBeDefined();
  });

  it('3 static response: failure-response static → 200 static item from every instance', async () => {
    await putParameter(aws, SEED.parameters.failureResponse, 'static');
    const seen = await stage('static from every instance', async () => {
      const batch = await sample(stack.dnsName, 6);
      return batch.every(staticItem) ? batch : undefined;
    });
    expect(instancesOf(seen).size).toBe(GROUP_SIZE);
    expect(await allHealth('healthy')).toBeDefined();
  });

  it('4 bad credentials: one instance on the SSM-only profile, rebooted → a mix of real and static items', async () => {
    await putParameter(aws, SEED.parameters.table, SEED.table);
    await stage('real items again', async () =>
      (await fetchItem(stack.dnsName)).kind === 'real' ? true : undefined,
    );
    const group = await ok<{ AutoScalingGroups: { Instances: { InstanceId: string }[] }[] }>(
      aws,
      'autoscaling',
      'describe-auto-scaling-groups',
      '--auto-scaling-group-names',
      SEED.group,
    );
    badInstance = group.AutoScalingGroups[0]?.Instances[0]?.InstanceId ?? '';
    const associations = await ok<{ IamInstanceProfileAssociations: { AssociationId: string }[] }>(
      aws,
      'ec2',
      'describe-iam-instance-profile-associations',
      '--filters',
      `Name=instance-id,Values=${badInstance}`,
    );
    const replaced = await ok<{ IamInstanceProfileAssociation: { IamInstanceProfile: { Arn: string } } }>(
      aws,
      'ec2',
      'replace-iam-instance-profile-association',
      '--association-id',
      associations.IamInstanceProfileAssociations[0]?.AssociationId ?? '',
      '--iam-instance-profile',
      `Name=${SEED.bcProfile}`,
    );
    expect(replaced.IamInstanceProfileAssociation.IamInstanceProfile.Arn).toBe(
      `arn:aws:iam::${stack.accountId}:instance-profile/${SEED.bcProfile}`,
    );
    await ok(aws, 'ec2', 'reboot-instances', '--instance-ids', badInstance);
    // As the seed does: wait until Systems Manager sees the instance again, then restart the server there.
    await stage('the rebooted instance to register with Systems Manager', async () => {
      const info = await ok<{ InstanceInformationList: { InstanceId: string }[] }>(
        aws,
        'ssm',
        'describe-instance-information',
        '--filters',
        `Key=InstanceIds,Values=${badInstance}`,
      );
      return info.InstanceInformationList.some((i) => i.InstanceId === badInstance) ? true : undefined;
    });
    const sent = await ok<{ Command: { CommandId: string } }>(
      aws,
      'ssm',
      'send-command',
      '--instance-ids',
      badInstance,
      '--document-name',
      'AWS-RunShellScript',
      '--parameters',
      JSON.stringify({ commands: [RESTART_SERVER_COMMAND] }),
    );
    await stage('the restart command to succeed', async () => {
      const out = await aws(
        'ssm',
        'get-command-invocation',
        '--command-id',
        sent.Command.CommandId,
        '--instance-id',
        badInstance,
      );
      // Just after SendCommand, AWS answers InvocationDoesNotExist for a moment.
      if (out.code !== 0 && errorOf(out)?.code === 'InvocationDoesNotExist') return undefined;
      const status = (JSON.parse(out.stdout) as { Status: string }).Status;
      return status === 'Success' ? true : undefined;
    });
    const fromBad = (s: Seen): boolean => s.instanceId === badInstance;
    const mix = await sampleUntil(
      'static items from the bad instance, real ones from the others',
      9,
      (b) =>
        b.some(fromBad) && b.filter(fromBad).every(staticItem) && b.filter((s) => !fromBad(s)).every(real),
    );
    expect(mix.filter((s) => !fromBad(s)).length).toBeGreaterThan(0);
    expect(new Set(mix.map((s) => s.kind))).toEqual(new Set(['real', 'static']));
    // Shallow checks do not look at the table: the bad instance is healthy too, once back from its reboot.
    expect(await stage('every target healthy', () => allHealth('healthy'))).toHaveLength(GROUP_SIZE);
  });

  it('5 deep health checks: exactly the bad instance unhealthy with [503], only real items served', async () => {
    await putParameter(aws, SEED.parameters.healthCheck, 'deep');
    const all = await stage('the bad instance unhealthy', async () => {
      const h = await health();
      return h.find((t) => t.Target.Id === badInstance)?.TargetHealth.State === 'unhealthy' ? h : undefined;
    });
    expect(all).toHaveLength(GROUP_SIZE);
    for (const t of all) {
      if (t.Target.Id === badInstance) {
        expect(t.TargetHealth).toEqual({
          State: 'unhealthy',
          Reason: 'Target.ResponseCodeMismatch',
          Description: 'Health checks failed with these codes: [503]',
        });
      } else expect(t.TargetHealth).toEqual({ State: 'healthy' });
    }
    const seen = await sampleUntil('only real items', 9, (b) => b.every(real));
    expect(seen.some((s) => s.instanceId === badInstance)).toBe(false);
  });

  it('6 replace the failing instance: capacity kept, the new instance turns healthy, a polling client sees no 5xx', async () => {
    const statuses: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) statuses.push((await fetchItem(stack.dnsName)).status);
    })();
    const statesOfOld = new Set<string>();
    try {
      const terminated = await ok<{ Activity: { Description: string } }>(
        aws,
        'autoscaling',
        'terminate-instance-in-auto-scaling-group',
        '--instance-id',
        badInstance,
        '--no-should-decrement-desired-capacity',
      );
      expect(terminated.Activity.Description).toBe(`Terminating EC2 instance: ${badInstance}`);
      await stage('three healthy targets, the old one gone', async () => {
        const h = await health();
        const old = h.find((t) => t.Target.Id === badInstance);
        if (old !== undefined) statesOfOld.add(`${old.TargetHealth.State} ${old.TargetHealth.Reason ?? ''}`);
        const healthy = h.filter((t) => t.TargetHealth.State === 'healthy');
        return old === undefined && healthy.length === GROUP_SIZE ? true : undefined;
      });
    } finally {
      polling = false;
      await poller;
    }
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // Deregistration drains the old target before it disappears (ALB: Target.DeregistrationInProgress).
    expect([...statesOfOld]).toContain('draining Target.DeregistrationInProgress');
    const group = await ok<{
      AutoScalingGroups: { Instances: { InstanceId: string; LifecycleState: string }[] }[];
    }>(aws, 'autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', SEED.group);
    const inService = (group.AutoScalingGroups[0]?.Instances ?? []).filter(
      (i) => i.LifecycleState === 'InService',
    );
    expect(inService).toHaveLength(GROUP_SIZE);
    expect(inService.map((i) => i.InstanceId)).not.toContain(badInstance);
    const after = await sampleUntil('only real items', 6, (b) => b.every(real));
    expect(after.some((s) => s.instanceId === badInstance)).toBe(false);
  });

  it('7 fail open: a bogus table with deep checks → every target unhealthy, static items from every instance', async () => {
    await putParameter(aws, SEED.parameters.table, BOGUS_TABLE);
    const all = await stage('every target unhealthy', () => allHealth('unhealthy'));
    expect(all.every((t) => t.TargetHealth.Reason === 'Target.ResponseCodeMismatch')).toBe(true);
    const seen = await sampleUntil('static items from every instance', 9, (b) => b.every(staticItem));
    expect(instancesOf(seen).size).toBe(GROUP_SIZE);
  });

  it('reset: the table restored → every target healthy, real items again', async () => {
    await putParameter(aws, SEED.parameters.table, SEED.table);
    await stage('every target healthy', () => allHealth('healthy'));
    const seen = await sampleUntil('real items', 6, (b) => b.every(real));
    expect(instancesOf(seen).size).toBe(GROUP_SIZE);
  });

  it('tears everything down, and the CLI finds nothing left', async () => {
    await teardownWithCli(aws, stack);
    const left = await remainingWithCli(aws);
    expect(Object.entries(left).filter(([, n]) => n !== 0)).toEqual([]);
    await expect(fetchItem(stack.dnsName)).rejects.toThrow();
  });
});
