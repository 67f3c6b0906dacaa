import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FetchParameters } from './parameters.ts';

export interface AwsClients {
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
}

/** What tests (and nothing else) replace: where the clients send requests and as whom. */
export interface AwsClientOverrides {
  readonly endpoint?: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * The two clients, built once per process and reused by every request (a client owns its connection
 * pool and resolved credentials). Region, credentials and endpoint come from the SDK's default chains:
 * AWS_REGION, then IMDS role credentials on EC2, and AWS_ENDPOINT_URL for the local cloud.
 *
 * Bounded work per call: the per-attempt socket timeouts equal the dependency timeout and there is at
 * most one retry; the caller's abortSignal caps the whole call (retries included) at the same bound,
 * so a hung dependency costs at most `timeoutMs` (AWS SDK v3 developer guide, "Abort requests" and
 * "Configure timeouts").
 */
export function createAwsClients(timeoutMs: number, overrides: AwsClientOverrides = {}): AwsClients {
  const common = {
    ...overrides,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  };
  return { ssm: new SSMClient(common), dynamodb: new DynamoDBClient(common) };
}

/** GetParameters for all names at once (up to 10 per call, SSM API reference), bounded by `timeoutMs`. */
export function ssmParameterFetcher(ssm: SSMClient, timeoutMs: number): FetchParameters {
  return async (names) => {
    const output = await ssm.send(new GetParametersCommand({ Names: [...names] }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    const found = new Map<string, string>();
    for (const parameter of output.Parameters ?? []) {
      if (parameter.Name !== undefined && parameter.Value !== undefined)
        found.set(parameter.Name, parameter.Value);
    }
    return found;
  };
}
