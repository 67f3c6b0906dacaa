import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { type ClientConfig, sdkConfig } from './config.ts';

export type { ClientConfig } from './config.ts';

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

/** Every service client the orchestrator uses, all with the one configuration of `sdkConfig`. */
export function createClients(config: ClientConfig): Clients {
  const common = sdkConfig(config);
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
