import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type Aws, createAws } from '../../src/aws/index.ts';
import type { RequestEvent } from '../../src/local/api/gateway.ts';
import { DEPLOYMENT_TAG_KEY, resourceNames } from '../../src/names.ts';
import { destroyRun, startRun } from '../../src/run/index.ts';
import { startTestLocalCloud, type TestLocalCloud } from '../_support/local-cloud.ts';
import { recordingHost } from '../_support/recording-host.ts';

const TIME_SCALE = 0.05;

/** The same wrappers, recording `service.method` for every call. */
function counting(aws: Aws, calls: string[]): Aws {
  const wrap = <T extends object>(service: string, target: T): T =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value: unknown = Reflect.get(t, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${service}.${String(key)}`);
          return Reflect.apply(value, t, args);
        };
      },
    });
  return {
    sts: wrap('sts', aws.sts),
    iam: wrap('iam', aws.iam),
    ssm: wrap('ssm', aws.ssm),
    dynamodb: wrap('dynamodb', aws.dynamodb),
    ec2: wrap('ec2', aws.ec2),
    autoscaling: wrap('autoscaling', aws.autoscaling),
    elbv2: wrap('elbv2', aws.elbv2),
  };
}
const NAME = 'itest';

/**
 * The whole product path: the real run API, real SDK clients over HTTP, the local cloud with its real
 * data plane (instances are processes running the server, a load balancer that health-checks them).
 */
describe('a full --yes run against the local cloud', () => {
  let local: TestLocalCloud;
  let stateDir: string;
  const requests: RequestEvent[] = [];
  beforeAll(async () => {
    local = await startTestLocalCloud({
      timeScale: TIME_SCALE,
      inMemoryDynamoDb: true,
      onRequest: (event) => requests.push(event),
    });
    stateDir = mkdtempSync(join(tmpdir(), 'resilient-run-'));
  });
  afterAll(async () => {
    await local?.close();
    if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
  });

  it('deploys, sees all seven stages behave as the stage table says, destroys, and leaves nothing behind', async () => {
    const host = recordingHost();
    const started = Date.now();
    // The run's own clients, counted per wrapper call (the instances' calls go through the gateway too).
    const own = createAws({ region: local.region, endpoint: local.endpoint, credentials: local.credentials });
    const counted: string[] = [];
    onTestFinished(() => own.close());
    const result = await startRun({
      name: NAME,
      target: 'local',
      region: local.region,
      endpoint: local.endpoint,
      credentials: local.credentials,
      aws: counting(own.aws, counted),
      stateDir,
      host,
      yes: true,
      keep: false,
      timeScale: TIME_SCALE,
    });
    const seconds = (Date.now() - started) / 1000;
    const observations = host.events.flatMap((e) =>
      e.type === 'observation' ? [{ stage: e.stage, pass: e.pass, reasons: e.reasons }] : [],
    );
    const failed = observations.filter((o) => !o.pass);
    expect({ outcome: result.outcome, failed, deploy: result.output?.deploy?.error }).toEqual({
      outcome: 'succeeded',
      failed: [],
      deploy: undefined,
    });
    expect(observations.map((o) => o.stage)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(existsSync(join(stateDir, `${NAME}.json`))).toBe(false);

    const { aws, close } = createAws({
      region: local.region,
      endpoint: local.endpoint,
      credentials: local.credentials,
    });
    try {
      const names = resourceNames(NAME, local.region);
      const account = local.cloud.config.accountId;
      expect(await aws.elbv2.describeLoadBalancer(names.loadBalancer)).toBeUndefined();
      expect(await aws.elbv2.describeTargetGroup(names.targetGroup)).toBeUndefined();
      expect(await aws.autoscaling.describeGroup(names.group)).toBeUndefined();
      expect(await aws.ec2.describeLaunchTemplate(names.launchTemplate)).toBeUndefined();
      for (const n of [names.instanceRole, names.bcRole]) {
        expect(await aws.iam.getRole(n)).toBeUndefined();
        expect(await aws.iam.getInstanceProfile(n)).toBeUndefined();
        expect(await aws.iam.getPolicy(`arn:aws:iam::${account}:policy/${n}`)).toBeUndefined();
      }
      expect(await aws.dynamodb.describeTable(names.table)).toBeUndefined();
      expect((await aws.ssm.getParameters(Object.values(names.parameters))).values).toEqual({});
      // `instances` leaves out terminated ones: none may be pending, running, stopping or shutting down.
      expect(await aws.ec2.instances([{ Name: `tag:${DEPLOYMENT_TAG_KEY}`, Values: [NAME] }])).toEqual([]);
    } finally {
      close();
    }
    const failures = new Map<string, number>();
    for (const r of requests.filter((x) => x.statusCode >= 400)) {
      const key = `${r.service}.${r.operation} ${r.errorCode ?? r.statusCode}`;
      failures.set(key, (failures.get(key) ?? 0) + 1);
    }
    // Figures for the report (the test asserts behaviour, never speed).
    process.stdout.write(
      `local-cloud run: ${seconds.toFixed(1)} s, ${counted.length} wrapper calls by the run, ${requests.length} API requests in all ` +
        `(expected errors, instances' calls included: ${[...failures].map(([k, n]) => `${k} x${n}`).join('; ')})\n`,
    );
  }, 300_000);

  it('a run stopped during the demo, its later writes lost, is destroyed from the file: nothing remains', async () => {
    const name = 'crashed';
    const controller = new AbortController();
    let image: { path: string; bytes: Buffer } | undefined;
    const first = await startRun({
      name,
      target: 'local',
      region: local.region,
      endpoint: local.endpoint,
      credentials: local.credentials,
      stateDir,
      host: recordingHost(),
      signal: controller.signal,
      yes: true,
      keep: false,
      timeScale: TIME_SCALE,
      // After stage 4 one instance runs with the SSM-only profile: destroy must cope with that too.
      onCheckpoint: ({ path, states }) => {
        if (image !== undefined || !states.includes('demo:method.stage5.acting.running')) return;
        image = { path, bytes: readFileSync(path) };
        controller.abort();
      },
    });
    expect(first.outcome).toBe('interrupted');
    if (image === undefined) throw new Error('the run never reached stage 5');
    writeFileSync(image.path, image.bytes);
    const destroyed = await destroyRun({
      stateDir,
      fromState: image.path,
      host: recordingHost(),
      endpoint: local.endpoint,
      credentials: local.credentials,
    });
    expect(destroyed.outcome).toBe('succeeded');
    expect(existsSync(image.path)).toBe(false);
    const { aws, close } = createAws({
      region: local.region,
      endpoint: local.endpoint,
      credentials: local.credentials,
    });
    try {
      const names = resourceNames(name, local.region);
      expect(await aws.elbv2.describeLoadBalancer(names.loadBalancer)).toBeUndefined();
      expect(await aws.autoscaling.describeGroup(names.group)).toBeUndefined();
      expect(await aws.iam.getInstanceProfile(names.bcProfile)).toBeUndefined();
      expect(await aws.iam.getRole(names.instanceRole)).toBeUndefined();
      expect(await aws.dynamodb.describeTable(names.table)).toBeUndefined();
      expect((await aws.ssm.getParameters(Object.values(names.parameters))).values).toEqual({});
      expect(await aws.ec2.instances([{ Name: `tag:${DEPLOYMENT_TAG_KEY}`, Values: [name] }])).toEqual([]);
    } finally {
      close();
    }
  }, 300_000);
});
