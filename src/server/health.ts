import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { HealthCheckKind } from './parameters.ts';

export interface HealthResult {
  readonly status: 200 | 503;
  readonly body: string;
  /** Why a deep check failed, for the log line. */
  readonly reason?: string;
}

const HEALTHY: HealthResult = { status: 200, body: JSON.stringify({ success: true }) };
const unhealthy = (reason: string): HealthResult => ({
  status: 503,
  body: JSON.stringify({ success: false }),
  reason,
});

/**
 * The seed's health check: `shallow` always succeeds; `deep` succeeds only when DescribeTable says the
 * table exists and is ACTIVE. The call is bounded by `timeoutMs` (< ALB's 5 s health-check timeout), so
 * a hung DynamoDB makes the check answer 503 rather than time out at the load balancer.
 *
 * Deliberately not cached (unlike items and parameters): ALB probes each target once per interval (10 s in
 * the seed), so a cache would save almost nothing, and any cache age adds to the time to detect a failing
 * target (bar: interval × unhealthy threshold + timeout) — on the local cloud at time scale 0.05 the
 * interval is 0.5 s, so even a 1 s cache would be two intervals late.
 */
export async function checkHealth(
  kind: HealthCheckKind,
  dynamodb: DynamoDBClient,
  table: string | undefined,
  timeoutMs: number,
): Promise<HealthResult> {
  if (kind === 'shallow') return HEALTHY;
  if (table === undefined) return unhealthy('table parameter never read');
  try {
    const output = await dynamodb.send(new DescribeTableCommand({ TableName: table }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    const status = output.Table?.TableStatus;
    return status === 'ACTIVE' ? HEALTHY : unhealthy(`table status ${status ?? 'unknown'}`);
  } catch (error: unknown) {
    return unhealthy(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}
