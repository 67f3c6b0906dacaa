/**
 * The hazards of a real account (issue #10 B1–B3), proven on the local cloud with its two accounts and
 * several Regions: the run API with target `aws`, real SDK clients over HTTP, the real data plane. Each
 * deployment is taken as far as a deploy (the run is interrupted when the demo starts, as Ctrl+C would):
 * what matters here is what exists, in which account and Region, and what destroy may touch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINE_VERSION } from '../../machines/run.ts';
import { type Clients, createClients } from '../../src/aws/clients.ts';
import { createAws } from '../../src/aws/index.ts';
import { readCheckpointFile } from '../../src/checkpoint/store.ts';
import { buildStatus } from '../../src/cli/commands/status.ts';
import type { AdminCredentials } from '../../src/local/api/principals.ts';
import { deploymentTags } from '../../src/names.ts';
import { destroyRun, factsOf, type RunResult, startRun } from '../../src/run/index.ts';
import { captureIo } from '../_support/cli.ts';
import { leftovers } from '../_support/leftovers.ts';
import { startTestLocalCloud, type TestLocalCloud } from '../_support/local-cloud.ts';
import { recordingHost } from '../_support/recording-host.ts';

const TIME_SCALE = 0.05;
let local: TestLocalCloud;
const dirs: string[] = [];
const opened: Clients[] = [];

beforeAll(async () => {
  local = await startTestLocalCloud({ timeScale: TIME_SCALE, inMemoryDynamoDb: true });
});
afterAll(async () => {
  for (const c of opened) c.destroy();
  await local?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'resilient-hazard-'));
  dirs.push(dir);
  return dir;
};
const clients = (region: string, credentials: AdminCredentials = local.credentials): Clients => {
  const c = createClients({ region, endpoint: local.endpoint, credentials, maxAttempts: 2 });
  opened.push(c);
  return c;
};

/** The run API as the CLI calls it on `--target aws`, with this account's keys, in this Region. */
function connection(dir: string, region: string, credentials: AdminCredentials) {
  const made = createAws({ region, endpoint: local.endpoint, credentials });
  return {
    made,
    conn: {
      stateDir: dir,
      host: recordingHost(),
      aws: made.aws,
      // Never ask the internet for our address: the local load balancer is reachable anyway.
      callerIp: async () => undefined,
    },
  };
}

/** Deploys `name` in `region` as `credentials`' account, and stops the run as the demo begins. */
async function deploy(name: string, region: string, dir: string, credentials = local.credentials) {
  const { made, conn } = connection(dir, region, credentials);
  const controller = new AbortController();
  const emit = conn.host.emit;
  conn.host.emit = (event) => {
    emit(event);
    if (event.type === 'phase' && event.phase === 'demo') controller.abort();
  };
  try {
    const result = await startRun({
      ...conn,
      signal: controller.signal,
      name,
      target: 'aws',
      region,
      yes: true,
      keep: true,
      timeScale: TIME_SCALE,
    });
    expect(result.outcome, JSON.stringify(result.output?.deploy)).toBe('interrupted');
    const file = readCheckpointFile(result.checkpoint, MACHINE_VERSION);
    const dns = factsOf(file?.snapshot).dnsName;
    if (dns === undefined) throw new Error('deploy recorded no endpoint');
    return { checkpoint: result.checkpoint, url: `http://${dns}/` };
  } finally {
    made.close();
  }
}

async function destroy(
  name: string,
  region: string,
  dir: string,
  credentials = local.credentials,
): Promise<RunResult> {
  const { made, conn } = connection(dir, region, credentials);
  try {
    return await destroyRun({ ...conn, name, region });
  } finally {
    made.close();
  }
}

/** Runs `work` with the SDK's environment pointing at the local cloud with these keys (as `--target aws` does). */
async function withAwsEnv<T>(
  credentials: AdminCredentials,
  region: string,
  work: () => Promise<T>,
): Promise<T> {
  const set = {
    AWS_ENDPOINT_URL: local.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
  };
  const saved = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]));
  Object.assign(process.env, set);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A few GETs through the load balancer: the deployment still serves real items from its table. */
async function servesRealItems(url: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { MediaType?: { S?: string }; ItemId?: { N?: string } };
    expect(body.MediaType?.S).toMatch(/^(Book|Movie|Song)$/);
    expect(body.ItemId?.N).not.toBe('0'); // the static item is Book / 0
  }
}

describe('--target aws on the local cloud: pinned to its account and Region', () => {
  it('B1: destroy as another account refuses, naming both, and everything still exists; destroy as the owner leaves nothing', async () => {
    const dir = stateDir();
    const region = local.region;
    const { url } = await deploy('pin', region, dir);
    const before = await leftovers(clients(region), 'pin');
    expect(before.length).toBeGreaterThan(10);

    await expect(destroy('pin', region, dir, local.second.credentials)).rejects.toThrow(
      `lives in account ${local.accountId}, but these credentials are for account ${local.second.accountId}`,
    );
    // status: the SDK's default chain, as `--target aws` uses it, with either account's keys.
    const statusAs = (credentials: AdminCredentials) =>
      withAwsEnv(credentials, region, () => buildStatus(captureIo().io, dir, 'pin'));
    await expect(statusAs(local.second.credentials)).rejects.toThrow(
      `lives in account ${local.accountId}, but these credentials are for account ${local.second.accountId}: refusing to show its live status`,
    );
    expect((await statusAs(local.credentials)).targetHealth.available).toBe(true);
    expect(await leftovers(clients(region), 'pin')).toEqual(before);
    await servesRealItems(url);
    expect(existsSync(join(dir, 'pin.json'))).toBe(true);

    expect((await destroy('pin', region, dir)).outcome).toBe('succeeded');
    expect(await leftovers(clients(region), 'pin')).toEqual([]);
  }, 240_000);

  it('B2: the same name in two Regions of one account: destroying one leaves the other serving real items', async () => {
    const [west, east] = ['us-west-2', 'us-east-1'] as const;
    const westDir = stateDir();
    const eastDir = stateDir();
    const w = await deploy('dup', west, westDir);
    await deploy('dup', east, eastDir);
    const westBefore = await leftovers(clients(west), 'dup');
    expect(westBefore.filter((l) => l.includes('us-west-2-instance'))).not.toEqual([]);
    expect(await leftovers(clients(east), 'dup')).toContain('role resilient-dup-us-east-1-instance');

    expect((await destroy('dup', east, eastDir)).outcome).toBe('succeeded');
    expect(await leftovers(clients(east), 'dup')).toEqual([]);
    expect(await leftovers(clients(west), 'dup')).toEqual(westBefore);
    await servesRealItems(w.url);

    expect((await destroy('dup', west, westDir)).outcome).toBe('succeeded');
    expect(await leftovers(clients(west), 'dup')).toEqual([]);
  }, 360_000);

  it('B3: a tagged ingress rule is revoked by a destroy that has no checkpoint at all', async () => {
    const region = local.region;
    const { made } = connection(stateDir(), region, local.credentials);
    try {
      const vpc = await made.aws.ec2.defaultVpcId();
      const group = await made.aws.ec2.defaultSecurityGroup(vpc ?? '');
      const added = await made.aws.ec2.authorizeIngress({
        groupId: group?.GroupId ?? '',
        cidr: '203.0.113.7/32',
        port: 80,
        tags: deploymentTags('lost', region),
      });
      expect(added.created).toBe(true);
      expect(await made.aws.ec2.ingressRulesByTag('resilient:deployment', 'lost')).toHaveLength(1);
    } finally {
      made.close();
    }
    const result = await destroy('lost', region, stateDir());
    expect(result.outcome).toBe('succeeded');
    const rules = await clients(region).ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'tag:resilient:deployment', Values: ['lost'] }],
      }),
    );
    expect(rules.SecurityGroupRules).toEqual([]);
  }, 120_000);
});
