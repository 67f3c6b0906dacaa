import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { readServerConfig, ServerConfigError } from '../../src/server/config.ts';
import type { StubHandler } from '../_support/aws-stub.ts';
import { getItemFrom, type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/**
 * A GetItem handler that holds each call until the next macrotask turn after all queued requests had a
 * chance to arrive, and records how many GetItem calls were in flight at once.
 */
function countingGetItem(): { handler: StubHandler; maxInFlight: () => number } {
  const answer = getItemFrom(RECOMMENDATIONS);
  let inFlight = 0;
  let max = 0;
  return {
    handler: async (input) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15));
      inFlight--;
      return answer(input);
    },
    maxInFlight: () => max,
  };
}

const concurrentGets = async (url: string, n: number): Promise<number[]> => {
  const responses = await Promise.all(Array.from({ length: n }, () => fetch(`${url}/`)));
  return Promise.all(
    responses.map(async (res) => {
      await res.arrayBuffer();
      return res.status;
    }),
  );
};

describe('reference mode (the benchmark baseline)', () => {
  it('asks SSM once per request and handles requests strictly one at a time', async () => {
    harness = await startHarness({ env: { RESILIENT_REFERENCE_MODE: '1', RESILIENT_LOG: 'off' } });
    const getItem = countingGetItem();
    harness.aws.on('GetItem', getItem.handler);
    const statuses = await concurrentGets(harness.url, 12);
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 200));
    expect(harness.aws.count('GetParameters')).toBe(12);
    expect(harness.aws.count('GetItem')).toBe(12);
    expect(getItem.maxInFlight()).toBe(1);
  });

  it('is off by default: the same burst shares one GetParameters call and overlaps table reads', async () => {
    harness = await startHarness({ env: { RESILIENT_LOG: 'off' } });
    const getItem = countingGetItem();
    harness.aws.on('GetItem', getItem.handler);
    const statuses = await concurrentGets(harness.url, 12);
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 200));
    expect(harness.aws.count('GetParameters')).toBe(1);
    expect(getItem.maxInFlight()).toBeGreaterThan(1);
  });

  it('turns the parameter cache off whatever the TTL says, and accepts only 0 or 1', () => {
    expect(
      readServerConfig({ RESILIENT_REFERENCE_MODE: '1', RESILIENT_PARAMETER_TTL_MS: '9000' }),
    ).toMatchObject({ referenceMode: true, parameterTtlMs: 0 });
    expect(readServerConfig({})).toMatchObject({ referenceMode: false, parameterTtlMs: 1500 });
    expect(() => readServerConfig({ RESILIENT_REFERENCE_MODE: 'yes' })).toThrow(ServerConfigError);
  });
});
