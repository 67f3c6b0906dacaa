import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { createParameterCache } from '../../src/server/parameters.ts';
import { STATIC_ITEM } from '../../src/server/recommendations.ts';
import { awsError } from '../_support/aws-stub.ts';
import { getItemFrom, type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const names = DEFAULT_PARAMETER_NAMES;

describe('parameters over HTTP', () => {
  it('asks SSM once per cache period, for all three names in one GetParameters call', async () => {
    let clock = 0;
    harness = await startHarness({ now: () => clock });
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    for (let i = 0; i < 25; i++) expect((await fetch(`${harness.url}/healthcheck`)).status).toBe(200);
    for (let i = 0; i < 25; i++) await (await fetch(`${harness.url}/`)).text();
    expect(harness.aws.count('GetParameters')).toBe(1);
    expect(harness.aws.calls.find((c) => c.operation === 'GetParameters')?.input['Names']).toEqual([
      names.table,
      names.failureResponse,
      names.healthCheck,
    ]);

    clock += 1349;
    await (await fetch(`${harness.url}/healthcheck`)).text();
    expect(harness.aws.count('GetParameters')).toBe(1);
    // The TTL's last tenth: one refresh in the background, whatever the number of requests.
    clock += 1;
    for (let i = 0; i < 5; i++) await (await fetch(`${harness.url}/healthcheck`)).text();
    await expect.poll(() => harness?.aws.count('GetParameters')).toBe(2);
    for (let i = 0; i < 5; i++) await (await fetch(`${harness.url}/healthcheck`)).text();
    expect(harness.aws.count('GetParameters')).toBe(2);
  });

  it('shares one in-flight GetParameters call among concurrent requests', async () => {
    harness = await startHarness();
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    const responses = await Promise.all(Array.from({ length: 40 }, () => fetch(`${harness?.url}/`)));
    for (const res of responses) {
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(harness.aws.count('GetParameters')).toBe(1);
  });

  it('keeps serving the last values read when SSM becomes unreachable', async () => {
    let clock = 0;
    harness = await startHarness({ now: () => clock });
    harness.parameters[names.failureResponse] = 'static';
    harness.parameters[names.healthCheck] = 'deep';
    harness.aws.on('GetItem', () =>
      awsError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'gone'),
    );
    harness.aws.on('DescribeTable', () => ({
      body: { Table: { TableName: 'recommendations', TableStatus: 'ACTIVE' } },
    }));
    expect(await (await fetch(`${harness.url}/`)).json()).toMatchObject(STATIC_ITEM);

    harness.aws.on('GetParameters', () => awsError('InternalServerError', 'SSM is down', 500));
    clock += 5000;
    const res = await fetch(`${harness.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(STATIC_ITEM);
    const health = await fetch(`${harness.url}/healthcheck`);
    expect(health.status).toBe(200);
    await health.text();
    // The deep check ran: the remembered health-check value is 'deep'.
    expect(harness.aws.count('DescribeTable')).toBe(1);
    expect(harness.logs.some((l) => l['msg'] === 'parameters unavailable, using last values')).toBe(true);
  });

  it('uses shallow health checks and no failure response when no parameter was ever read', async () => {
    harness = await startHarness();
    harness.aws.on('GetParameters', () => awsError('AccessDeniedException', 'not authorized'));
    const health = await fetch(`${harness.url}/healthcheck`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ success: true });
    await expect(fetch(`${harness.url}/`)).rejects.toThrow();
    expect(harness.aws.count('GetItem')).toBe(0);
  });
});

describe('parameter cache', () => {
  it('falls back per name: a missing parameter keeps its last value, never-read ones use the defaults', async () => {
    let clock = 0;
    let answer = new Map<string, string>([
      [names.table, 't1'],
      [names.failureResponse, 'static'],
    ]);
    const cache = createParameterCache({ names, ttlMs: 100, now: () => clock, fetch: async () => answer });
    expect(await cache.get()).toEqual({ table: 't1', failureResponse: 'static', healthCheck: 'shallow' });
    answer = new Map([[names.healthCheck, 'deep']]);
    clock = 100;
    expect(await cache.get()).toEqual({ table: 't1', failureResponse: 'static', healthCheck: 'deep' });
  });

  it('refreshes in the background in the last tenth of the TTL, and makes requests wait only past the TTL', async () => {
    let clock = 0;
    const answers: ((values: ReadonlyMap<string, string>) => void)[] = [];
    const cache = createParameterCache({
      names,
      ttlMs: 100,
      now: () => clock,
      fetch: () => new Promise((resolve) => answers.push(resolve)),
    });
    const first = cache.get();
    answers[0]?.(new Map([[names.table, 't1']]));
    expect((await first).table).toBe('t1');

    clock = 89;
    expect((await cache.get()).table).toBe('t1');
    expect(answers).toHaveLength(1);
    clock = 90;
    // Answered at once with the values still within their TTL, while the refresh is pending.
    expect((await cache.get()).table).toBe('t1');
    expect((await cache.get()).table).toBe('t1');
    expect(answers).toHaveLength(2);
    answers[1]?.(new Map([[names.table, 't2']]));
    await new Promise((resolve) => setImmediate(resolve)); // let the background refresh settle
    expect((await cache.get()).table).toBe('t2');

    clock = 500; // nothing asked during the last tenth: this request waits for the read
    const waiting = cache.get();
    expect(answers).toHaveLength(3);
    answers[2]?.(new Map([[names.table, 't3']]));
    expect((await waiting).table).toBe('t3');
  });

  it('asks again only after a full period when a refresh fails', async () => {
    let clock = 0;
    let calls = 0;
    const cache = createParameterCache({
      names,
      ttlMs: 100,
      now: () => clock,
      fetch: async () => {
        calls++;
        throw new Error('unreachable');
      },
    });
    await cache.get();
    clock = 99;
    await cache.get();
    expect(calls).toBe(1);
    clock = 199;
    await cache.get();
    expect(calls).toBe(2);
  });
});
