import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { STATIC_ITEM } from '../../src/server/recommendations.ts';
import { awsError } from '../_support/aws-stub.ts';
import { getItemFrom, type Harness, IDENTITY, startHarness } from '../_support/server-harness.ts';
import { type AlbProxy, startAlbProxy } from './_helpers/alb-proxy.ts';

const METADATA = { InstanceId: IDENTITY.instanceId, AvailabilityZone: IDENTITY.zone };
let harness: Harness | undefined;
let proxy: AlbProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await harness?.close();
  proxy = undefined;
  harness = undefined;
});

async function getJson(url: string): Promise<{ status: number; body: unknown; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

describe('GET /', () => {
  it('returns a random seeded item in attribute-value form with the instance metadata', async () => {
    // Item cache off: every request reads the table, as the reference server does.
    harness = await startHarness({ env: { RESILIENT_ITEM_TTL_MS: '0' } });
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const res = await getJson(`${harness.url}/`);
      expect(res.status).toBe(200);
      expect(res.type).toBe('application/json');
      const { Metadata, ...item } = res.body as Record<string, unknown>;
      expect(Metadata).toEqual(METADATA);
      expect(RECOMMENDATIONS).toContainEqual(item);
      seen.add(JSON.stringify(item));
    }
    // Thirty draws from nine items: more than one distinct item shows the pick is random.
    expect(seen.size).toBeGreaterThan(1);
    const getItems = harness.aws.calls.filter((c) => c.operation === 'GetItem');
    expect(getItems).toHaveLength(30);
    expect(getItems[0]?.input['TableName']).toBe('recommendations');
  });

  it('serves the static coloring book when the table read fails and failure-response is static', async () => {
    harness = await startHarness();
    harness.parameters[DEFAULT_PARAMETER_NAMES.failureResponse] = 'static';
    harness.aws.on('GetItem', () =>
      awsError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found'),
    );
    const res = await getJson(`${harness.url}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      MediaType: { S: 'Book' },
      ItemId: { N: '0' },
      Title: { S: '404 Not Found: A Coloring Book' },
      Creator: { S: 'The Oatmeal' },
      Metadata: METADATA,
    });
    expect(STATIC_ITEM).toEqual({
      MediaType: { S: 'Book' },
      ItemId: { N: '0' },
      Title: { S: '404 Not Found: A Coloring Book' },
      Creator: { S: 'The Oatmeal' },
    });
  });

  it('makes the load balancer answer 502 when the table is missing and failure-response is none', async () => {
    harness = await startHarness();
    harness.aws.on('GetItem', () =>
      awsError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found'),
    );
    proxy = await startAlbProxy(harness.server.port);
    const res = await fetch(`${proxy.url}/`);
    expect(res.status).toBe(502);
    await res.text();
    // Directly, the connection closes without any status line: that is what ALB turns into 502.
    await expect(fetch(`${harness.url}/`)).rejects.toThrow();
  });

  it('treats AccessDeniedException (bad instance credentials) as a failed read: static or 502', async () => {
    let clock = 0;
    harness = await startHarness({ now: () => clock });
    harness.aws.on('GetItem', () =>
      awsError(
        'com.amazon.coral.service#AccessDeniedException',
        'not authorized to perform: dynamodb:GetItem',
      ),
    );
    proxy = await startAlbProxy(harness.server.port);
    const failed = await fetch(`${proxy.url}/`);
    expect(failed.status).toBe(502);
    await failed.text();

    harness.parameters[DEFAULT_PARAMETER_NAMES.failureResponse] = 'static';
    clock += 1500; // one parameter period later the new value is read
    const res = await fetch(`${proxy.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...STATIC_ITEM, Metadata: METADATA });
  });

  it('serves the static item when the table read hangs past the dependency timeout', async () => {
    harness = await startHarness({ env: { RESILIENT_DEPENDENCY_TIMEOUT_MS: '200' } });
    harness.parameters[DEFAULT_PARAMETER_NAMES.failureResponse] = 'static';
    harness.aws.on('GetItem', () => new Promise(() => {}));
    const res = await getJson(`${harness.url}/`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...STATIC_ITEM, Metadata: METADATA });
  });

  it('reads the instance identity from IMDSv2 once and caches it', async () => {
    harness = await startHarness();
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    await Promise.all(Array.from({ length: 20 }, () => getJson(`${harness?.url}/`)));
    for (let i = 0; i < 5; i++)
      expect((await getJson(`${harness.url}/`)).body).toMatchObject({ Metadata: METADATA });
    expect(harness.imds.counts.get('PUT /latest/api/token')).toBe(1);
    expect(harness.imds.counts.get('GET /latest/meta-data/instance-id')).toBe(1);
    expect(harness.imds.counts.get('GET /latest/meta-data/placement/availability-zone')).toBe(1);
  });
});
