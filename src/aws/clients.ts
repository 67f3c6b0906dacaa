import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface ClientConfig {
  readonly region: string;
  /** The local cloud (`http://127.0.0.1:<port>`) or any AWS-compatible endpoint; AWS itself when absent. */
  readonly endpoint?: string | undefined;
  /** Explicit credentials (the local cloud's admin key); the default provider chain when absent. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** Attempts per call including the first, with the SDK's adaptive retry (client-side rate limiting on throttles). */
  readonly maxAttempts?: number | undefined;
  /** Socket connect timeout, ms. */
  readonly connectionTimeoutMs?: number | undefined;
  /** Idle socket timeout per request, ms: a hung endpoint fails the call instead of hanging the run. */
  readonly requestTimeoutMs?: number | undefined;
}

export interface Clients {
  readonly sts: STSClient;
  readonly iam: IAMClient;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
  readonly ec2: EC2Client;
  readonly autoscaling: AutoScalingClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  destroy(): void;
}

/**
 * One shared configuration for every service client. Retry mode `adaptive` is the SDK's standard
 * exponential backoff plus a client-side token bucket that slows down after throttling errors
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export function createClients(config: ClientConfig): Clients {
  const requestHandler = new NodeHttpHandler({
    connectionTimeout: config.connectionTimeoutMs ?? 5_000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
  });
  const common = {
    region: config.region,
    maxAttempts: config.maxAttempts ?? 5,
    retryMode: 'adaptive',
    requestHandler,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
  };
  const clients = {
    sts: new STSClient(common),
    iam: new IAMClient(common),
    ssm: new SSMClient(common),
    dynamodb: new DynamoDBClient(common),
    ec2: new EC2Client(common),
    autoscaling: new AutoScalingClient(common),
    elbv2: new ElasticLoadBalancingV2Client(common),
  };
  return {
    ...clients,
    destroy: () => {
      for (const client of Object.values(clients)) client.destroy();
    },
  };
}
