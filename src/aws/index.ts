import { type AutoScaling, createAutoScaling } from './autoscaling.ts';
import { type ClientConfig, createClients } from './clients.ts';
import { createDynamoDb, type DynamoDb } from './dynamodb.ts';
import { createEc2, type Ec2 } from './ec2.ts';
import { createElbv2, type Elbv2 } from './elbv2.ts';
import { createIam, type Iam } from './iam.ts';
import { createSsm, type Ssm } from './ssm.ts';
import { createSts, type Sts } from './sts.ts';

/** Every service wrapper the orchestrator uses: what steps depend on, and what fakes implement. */
export interface Aws {
  readonly sts: Sts;
  readonly iam: Iam;
  readonly ssm: Ssm;
  readonly dynamodb: DynamoDb;
  readonly ec2: Ec2;
  readonly autoscaling: AutoScaling;
  readonly elbv2: Elbv2;
}

export function createAws(config: ClientConfig): { aws: Aws; close(): void } {
  const clients = createClients(config);
  return {
    aws: {
      sts: createSts(clients.sts),
      iam: createIam(clients.iam),
      ssm: createSsm(clients.ssm),
      dynamodb: createDynamoDb(clients.dynamodb),
      ec2: createEc2(clients.ec2),
      autoscaling: createAutoScaling(clients.autoscaling),
      elbv2: createElbv2(clients.elbv2),
    },
    close: () => clients.destroy(),
  };
}
