import type { ServiceModule } from '../contracts.ts';
import { autoScalingService } from './autoscaling/index.ts';
import { ec2Service } from './ec2/index.ts';
import { elbv2Service } from './elbv2/index.ts';
import { iam } from './iam/index.ts';
import { ssmService } from './ssm/index.ts';
import { sts } from './sts/index.ts';

/**
 * Every AWS service module the gateway serves, by signing name. DynamoDB is not listed: dynalite serves it
 * behind the gateway as a raw service (`services/dynamodb`). */
export const serviceModules: readonly ServiceModule[] = [
  sts,
  iam,
  ec2Service,
  autoScalingService,
  elbv2Service,
  ssmService,
];
