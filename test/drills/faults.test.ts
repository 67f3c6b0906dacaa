/**
 * Fault drill (docs/testing.md#drills): with the local cloud throttling 10 % of API calls and failing
 * 2 % with a 5xx, and with one instance crashed and another hung for a while during the demo, a full
 * `start --yes` still verifies every stage, destroys everything and exits 0.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Clients, createClients } from '../../src/aws/clients.ts';
import { type ControlClient, createControlClient } from '../../src/local/control/client.ts';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

const e2e = useE2eCloud('resilient-drill-faults-', 0.05);
const { config, state } = e2e;
let control: ControlClient;
/** Our own view of the cloud while faults are on: patient retries, so the drill's probes never flake. */
let patient: Clients;

beforeAll(async () => {
  const admin = readAdminCredentials(daemonPaths(state.path));
  if (admin === undefined) throw new Error('the local cloud wrote no admin credentials');
  control = createControlClient({ endpoint: e2e.cloud.endpoint, adminSecret: admin.secretAccessKey });
  patient = createClients({
    region: e2e.cloud.region,
    endpoint: e2e.cloud.endpoint,
    credentials: admin,
    maxAttempts: 10,
  });
});
// Runs before the fixture's teardown (after-hooks run in reverse order): faults off while the cloud stops.
afterAll(async () => {
  await control?.setApiFaults({ throttleRate: 0, errorRate: 0 }).catch(() => undefined);
  patient?.destroy();
});

async function runningInstances(): Promise<string[]> {
  const out = await patient.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => (r.Instances ?? []).flatMap((i) => i.InstanceId ?? []));
}

describe('fault drill', () => {
  it('completes a full run under 10 % throttling and 2 % 5xx, absorbing a crashed and a hung instance', async () => {
    await control.setApiFaults({ throttleRate: 0.1, errorRate: 0.02 });
    const injected: string[] = [];
    const pending: Promise<void>[] = [];
    const inject = async (kind: 'crash' | 'hang'): Promise<void> => {
      const running = await runningInstances();
      const victim = running.find((id) => !injected.some((line) => line.endsWith(id)));
      if (victim === undefined) throw new Error(`no running instance left to ${kind}: ${running.join(', ')}`);
      await control.injectInstanceFault(victim, { kind });
      injected.push(`${kind} ${victim}`);
      if (kind === 'hang') {
        // A hang the health checks see (unhealthy within 1.25 s at this time scale), then it recovers.
        await new Promise((r) => setTimeout(r, 2_000));
        await control.injectInstanceFault(victim, { kind: 'heal' });
      }
    };
    const run = await spawnCli(
      ['start', '--yes', '--time-scale', '0.05', '--name', 'faults', '--state-dir', state.path],
      {
        env: baseEnv(config.path),
        deadlineMs: 200_000,
        onStdout: (out) => {
          if (pending.length === 0 && out.includes('Stage 2:')) pending.push(inject('crash'));
          if (pending.length === 1 && out.includes('Stage 3:')) pending.push(inject('hang'));
        },
      },
    );
    await Promise.all(pending);
    await control.setApiFaults({ throttleRate: 0, errorRate: 0 });
    if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stdout}\n${run.stderr}`);
    expect(injected).toHaveLength(2);
    for (let stage = 1; stage <= 7; stage++)
      expect(run.stdout).toContain(`Stage ${stage} verification: PASS`);
    expect(await leftovers(e2e.cloud.clients, 'faults')).toEqual([]);

    // The faults really happened: the cloud's log holds throttled and failed calls the run absorbed.
    const log = readFileSync(path.join(daemonPaths(state.path).dataDir, 'daemon.log'), 'utf8');
    const throttled = log.match(/ (Throttling|ThrottlingException|RequestLimitExceeded) /g)?.length ?? 0;
    const failed =
      log.match(/ 5\d\d (InternalFailure|InternalError|ServiceUnavailable\w*|Unavailable) /g)?.length ?? 0;
    process.stdout.write(
      `fault drill: ${throttled} throttled and ${failed} failed API calls absorbed; ${injected.join(', ')}\n`,
    );
    expect(throttled).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  }, 240_000);
});
