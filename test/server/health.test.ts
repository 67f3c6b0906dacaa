import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { awsError, hang } from '../_support/aws-stub.ts';
import { type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function health(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${harness?.url}/healthcheck`);
  return { status: res.status, body: await res.json() };
}

async function deepHarness(env: Record<string, string> = {}): Promise<Harness> {
  const h = await startHarness({ env });
  h.parameters[DEFAULT_PARAMETER_NAMES.healthCheck] = 'deep';
  return h;
}

describe('GET /healthcheck', () => {
  it('shallow: succeeds without touching DynamoDB even when the table is gone', async () => {
    harness = await startHarness();
    harness.parameters[DEFAULT_PARAMETER_NAMES.table] = 'this-is-not-a-table';
    expect(await health()).toEqual({ status: 200, body: { success: true } });
    expect(harness.aws.count('DescribeTable')).toBe(0);
  });

  it('deep: 200 when DescribeTable reports the table ACTIVE', async () => {
    harness = await deepHarness();
    harness.aws.on('DescribeTable', (input) => ({
      body: { Table: { TableName: input['TableName'], TableStatus: 'ACTIVE' } },
    }));
    expect(await health()).toEqual({ status: 200, body: { success: true } });
    expect(harness.aws.calls.find((c) => c.operation === 'DescribeTable')?.input).toEqual({
      TableName: 'recommendations',
    });
  });

  it('deep: 503 when the table does not exist (ResourceNotFoundException)', async () => {
    harness = await deepHarness();
    harness.aws.on('DescribeTable', () =>
      awsError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found'),
    );
    expect(await health()).toEqual({ status: 503, body: { success: false } });
  });

  it('deep: 503 when the credentials do not allow DescribeTable (AccessDeniedException)', async () => {
    harness = await deepHarness();
    harness.aws.on('DescribeTable', () =>
      awsError('com.amazon.coral.service#AccessDeniedException', 'denied'),
    );
    expect(await health()).toEqual({ status: 503, body: { success: false } });
  });

  it('deep: 503 while the table is not ACTIVE yet', async () => {
    harness = await deepHarness();
    harness.aws.on('DescribeTable', () => ({
      body: { Table: { TableName: 'recommendations', TableStatus: 'CREATING' } },
    }));
    expect(await health()).toEqual({ status: 503, body: { success: false } });
  });

  it('deep: answers 503 instead of hanging when DynamoDB hangs, abandoning the call at the timeout', async () => {
    harness = await deepHarness({ RESILIENT_DEPENDENCY_TIMEOUT_MS: '300' });
    harness.aws.on('DescribeTable', hang);
    expect(await health()).toEqual({ status: 503, body: { success: false } });
    // The SDK gave up on the hung request (abort), rather than leaving it open.
    await expect.poll(() => harness?.aws.abandoned, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
  });

  it('deep: 503 when DynamoDB becomes unreachable, remembering "deep" while SSM is unreachable too', async () => {
    let clock = 0;
    harness = await startHarness({ now: () => clock });
    harness.parameters[DEFAULT_PARAMETER_NAMES.healthCheck] = 'deep';
    harness.aws.on('DescribeTable', () => ({
      body: { Table: { TableName: 'recommendations', TableStatus: 'ACTIVE' } },
    }));
    expect(await health()).toEqual({ status: 200, body: { success: true } });
    await harness.aws.close();
    clock += 10_000;
    expect(await health()).toEqual({ status: 503, body: { success: false } });
  });
});
