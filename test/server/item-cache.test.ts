import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { readServerConfig, ServerConfigError } from '../../src/server/config.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { createItemCache } from '../../src/server/item-cache.ts';
import { type AttributeItem, STATIC_ITEM } from '../../src/server/recommendations.ts';
import { awsError, type StubReply } from '../_support/aws-stub.ts';
import { getItemFrom, type Harness, startHarness } from '../_support/server-harness.ts';
import { type AlbProxy, startAlbProxy } from './_helpers/alb-proxy.ts';

let harness: Harness | undefined;
let proxy: AlbProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await harness?.close();
  proxy = undefined;
  harness = undefined;
});

/** random() = 0 always picks MediaType Book, ItemId 1: every request asks for the same key. */
const FIRST_KEY = () => 0;
const BOOK_1 = RECOMMENDATIONS.find((i) => i.MediaType.S === 'Book' && i.ItemId.N === '1');
const NOT_A_TABLE = 'this-is-not-a-table';
const notFound = (): StubReply =>
  awsError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found');

async function getBody(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const { Metadata: _metadata, ...item } = (await res.json()) as Record<string, unknown>;
  return item;
}

const getItemsOn = (h: Harness, table: string) =>
  h.aws.calls.filter((c) => c.operation === 'GetItem' && c.input['TableName'] === table).length;

describe('item cache over HTTP', () => {
  it("serves an item again within the TTL with one GetItem, refreshing it in the TTL's last tenth or after it", async () => {
    let clock = 0;
    harness = await startHarness({ now: () => clock, random: FIRST_KEY });
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    for (let i = 0; i < 20; i++) expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
    expect(harness.aws.count('GetItem')).toBe(1);

    clock += 1349; // default item TTL = the parameter TTL, 1500 ms; refreshed ahead in its last tenth
    expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
    expect(harness.aws.count('GetItem')).toBe(1);
    clock += 1;
    for (let i = 0; i < 5; i++) expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
    await expect.poll(() => harness?.aws.count('GetItem')).toBe(2);

    clock += 5000; // no request during the refreshed item's last tenth: the next one reads again
    expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
    expect(harness.aws.count('GetItem')).toBe(3);
  });

  it('is never staler than RESILIENT_ITEM_TTL_MS: a changed item shows once its TTL is over', async () => {
    let clock = 0;
    let title = 'first title';
    harness = await startHarness({
      now: () => clock,
      random: FIRST_KEY,
      env: { RESILIENT_ITEM_TTL_MS: '300' },
    });
    harness.aws.on('GetItem', (input) => ({
      body: { Item: { ...(input['Key'] as AttributeItem), Title: { S: title } } },
    }));
    expect(await getBody(`${harness.url}/`)).toMatchObject({ Title: { S: 'first title' } });
    title = 'second title';
    clock += 269; // before the last tenth: no read, the first title
    expect(await getBody(`${harness.url}/`)).toMatchObject({ Title: { S: 'first title' } });
    clock += 31; // the TTL is over: this request reads and waits for it
    expect(await getBody(`${harness.url}/`)).toMatchObject({ Title: { S: 'second title' } });
    expect(harness.aws.count('GetItem')).toBe(2);
  });

  it('never keeps a failed read: the next request asks DynamoDB again', async () => {
    harness = await startHarness({ now: () => 0, random: FIRST_KEY });
    harness.parameters[DEFAULT_PARAMETER_NAMES.failureResponse] = 'static';
    const answer = getItemFrom(RECOMMENDATIONS);
    let failing = true;
    harness.aws.on('GetItem', (input) =>
      failing
        ? awsError(
            'com.amazon.coral.service#AccessDeniedException',
            'not authorized to perform: dynamodb:GetItem',
          )
        : answer(input),
    );
    expect(await getBody(`${harness.url}/`)).toEqual(STATIC_ITEM);
    expect(await getBody(`${harness.url}/`)).toEqual(STATIC_ITEM);
    expect(harness.aws.count('GetItem')).toBe(2);
    failing = false;
    // The clock has not moved: only a failure that was not kept lets this request read the real item.
    expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
    expect(harness.aws.count('GetItem')).toBe(3);
  });

  it('misses at once when the table parameter names another table: 502, then static, then the real items again', async () => {
    let clock = 0;
    // An item TTL far longer than the parameter TTL: only the table in the key can make these requests miss.
    harness = await startHarness({
      now: () => clock,
      random: FIRST_KEY,
      env: { RESILIENT_ITEM_TTL_MS: '60000' },
    });
    const answer = getItemFrom(RECOMMENDATIONS);
    harness.aws.on('GetItem', (input) =>
      input['TableName'] === 'recommendations' ? answer(input) : notFound(),
    );
    proxy = await startAlbProxy(harness.server.port);
    expect(await getBody(`${proxy.url}/`)).toEqual(BOOK_1);

    // Demo stage 2: the table parameter turns to a table that does not exist.
    harness.parameters[DEFAULT_PARAMETER_NAMES.table] = NOT_A_TABLE;
    clock += 1500; // one parameter period: the new value is read
    const broken = await fetch(`${proxy.url}/`);
    expect(broken.status).toBe(502);
    await broken.text();

    // Stage 3 (and stage 7's fail-open answer): failure-response static.
    harness.parameters[DEFAULT_PARAMETER_NAMES.failureResponse] = 'static';
    clock += 1500;
    expect(await getBody(`${proxy.url}/`)).toEqual(STATIC_ITEM);
    expect(await getBody(`${proxy.url}/`)).toEqual(STATIC_ITEM);
    expect(getItemsOn(harness, NOT_A_TABLE)).toBe(3);

    // Stage 4 restores the table: its item, read within its TTL, answers again.
    harness.parameters[DEFAULT_PARAMETER_NAMES.table] = 'recommendations';
    clock += 1500;
    expect(await getBody(`${proxy.url}/`)).toEqual(BOOK_1);
    expect(getItemsOn(harness, 'recommendations')).toBe(1);
  });

  it('leaves the deep health check alone: every probe still calls DescribeTable', async () => {
    harness = await startHarness({ now: () => 0, random: FIRST_KEY });
    harness.parameters[DEFAULT_PARAMETER_NAMES.healthCheck] = 'deep';
    harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    harness.aws.on('DescribeTable', () =>
      awsError(
        'com.amazon.coral.service#AccessDeniedException',
        'not authorized to perform: dynamodb:DescribeTable',
      ),
    );
    for (let i = 0; i < 3; i++) {
      expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
      const health = await fetch(`${harness.url}/healthcheck`);
      expect(health.status).toBe(503);
      await health.text();
    }
    expect(harness.aws.count('GetItem')).toBe(1);
    expect(harness.aws.count('DescribeTable')).toBe(3);
  });

  it('is off in reference mode and with RESILIENT_ITEM_TTL_MS=0: one GetItem per request', async () => {
    const envs: Record<string, string>[] = [
      { RESILIENT_REFERENCE_MODE: '1', RESILIENT_ITEM_TTL_MS: '60000' },
      { RESILIENT_ITEM_TTL_MS: '0' },
    ];
    for (const env of envs) {
      harness = await startHarness({
        now: () => 0,
        random: FIRST_KEY,
        env: { ...env, RESILIENT_LOG: 'off' },
      });
      harness.aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
      for (let i = 0; i < 5; i++) expect(await getBody(`${harness.url}/`)).toEqual(BOOK_1);
      expect(harness.aws.count('GetItem')).toBe(5);
      await harness.close();
      harness = undefined;
    }
  });
});

describe('item cache', () => {
  /** A read whose answers the test settles by hand, recording each call. */
  function manualRead() {
    const pending: { key: AttributeItem; resolve: (i: AttributeItem) => void; reject: (e: Error) => void }[] =
      [];
    const read = (_table: string, key: AttributeItem) =>
      new Promise<AttributeItem>((resolve, reject) => {
        pending.push({ key, resolve, reject });
      });
    return { read, pending };
  }
  const key = (mediaType: string, itemId: string): AttributeItem => ({
    MediaType: { S: mediaType },
    ItemId: { N: itemId },
  });

  it('shares one in-flight read among concurrent misses of a key, and not across keys or tables', async () => {
    const { read, pending } = manualRead();
    const cache = createItemCache({ ttlMs: 1000, now: () => 0, read });
    const same = Array.from({ length: 20 }, () => cache.get('recommendations', key('Song', '2')));
    const otherKey = cache.get('recommendations', key('Song', '3'));
    const otherTable = cache.get('elsewhere', key('Song', '2'));
    expect(pending).toHaveLength(3);
    pending[0]?.resolve({ ...key('Song', '2'), Title: { S: 'shared' } });
    pending[1]?.resolve(key('Song', '3'));
    pending[2]?.resolve(key('Song', '2'));
    for (const item of await Promise.all(same)) expect(item).toMatchObject({ Title: { S: 'shared' } });
    expect(await otherKey).toEqual(key('Song', '3'));
    expect(await otherTable).toEqual(key('Song', '2'));
  });

  it('rejects every caller that joined a failed read, then reads again on the next call', async () => {
    const { read, pending } = manualRead();
    const cache = createItemCache({ ttlMs: 1000, now: () => 0, read });
    const joined = [cache.get('t', key('Book', '1')), cache.get('t', key('Book', '1'))];
    expect(pending).toHaveLength(1);
    pending[0]?.reject(new Error('AccessDenied'));
    for (const result of await Promise.allSettled(joined)) expect(result.status).toBe('rejected');
    const retry = cache.get('t', key('Book', '1'));
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(key('Book', '1'));
    expect(await retry).toEqual(key('Book', '1'));
  });

  it('counts the TTL from when the read was sent, not from when it answered', async () => {
    let clock = 0;
    const { read, pending } = manualRead();
    const cache = createItemCache({ ttlMs: 1000, now: () => clock, read });
    const first = cache.get('t', key('Movie', '1'));
    clock = 400; // a slow answer
    pending[0]?.resolve(key('Movie', '1'));
    await first;
    clock = 899; // counted from the answer, the refresh-ahead tenth would start at 1300
    await cache.get('t', key('Movie', '1'));
    expect(pending).toHaveLength(1);
    clock = 1000;
    void cache.get('t', key('Movie', '1'));
    expect(pending).toHaveLength(2);
    pending[1]?.resolve(key('Movie', '1'));
  });

  it('in the last tenth of the TTL answers from the cache while one background read refreshes the item', async () => {
    let clock = 0;
    const { read, pending } = manualRead();
    const cache = createItemCache({ ttlMs: 1000, now: () => clock, read });
    const first = cache.get('t', key('Song', '1'));
    pending[0]?.resolve({ ...key('Song', '1'), Title: { S: 'old' } });
    await first;

    clock = 900;
    expect(await cache.get('t', key('Song', '1'))).toMatchObject({ Title: { S: 'old' } });
    expect(await cache.get('t', key('Song', '1'))).toMatchObject({ Title: { S: 'old' } });
    expect(pending).toHaveLength(2);
    pending[1]?.resolve({ ...key('Song', '1'), Title: { S: 'new' } });
    await new Promise((resolve) => setImmediate(resolve)); // let the background read settle
    expect(await cache.get('t', key('Song', '1'))).toMatchObject({ Title: { S: 'new' } });

    // The refreshed item (read sent at 900) in its own last tenth; this time the background read fails.
    clock = 1800;
    expect(await cache.get('t', key('Song', '1'))).toMatchObject({ Title: { S: 'new' } });
    pending[2]?.reject(new Error('ProvisionedThroughputExceeded'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await cache.get('t', key('Song', '1'))).toMatchObject({ Title: { S: 'new' } });
    expect(pending).toHaveLength(3); // a failed refresh is not retried ahead of the TTL
    clock = 1900; // past the TTL: the request waits for its own read and sees its failure
    const past = cache.get('t', key('Song', '1'));
    expect(pending).toHaveLength(4);
    pending[3]?.reject(new Error('ProvisionedThroughputExceeded'));
    await expect(past).rejects.toThrow('ProvisionedThroughputExceeded');
  });
});

describe('item cache configuration', () => {
  it('defaults to the parameter TTL, is 0 in reference mode, and refuses what is not a whole ms count', () => {
    expect(readServerConfig({}).itemTtlMs).toBe(1500);
    expect(readServerConfig({ RESILIENT_PARAMETER_TTL_MS: '75' }).itemTtlMs).toBe(75);
    expect(readServerConfig({ RESILIENT_ITEM_TTL_MS: '0' }).itemTtlMs).toBe(0);
    expect(readServerConfig({ RESILIENT_ITEM_TTL_MS: '250' })).toMatchObject({
      itemTtlMs: 250,
      parameterTtlMs: 1500,
    });
    expect(readServerConfig({ RESILIENT_REFERENCE_MODE: '1', RESILIENT_ITEM_TTL_MS: '9000' }).itemTtlMs).toBe(
      0,
    );
    expect(() => readServerConfig({ RESILIENT_ITEM_TTL_MS: '-1' })).toThrow(ServerConfigError);
    expect(() => readServerConfig({ RESILIENT_ITEM_TTL_MS: '1.5' })).toThrow(ServerConfigError);
  });
});
