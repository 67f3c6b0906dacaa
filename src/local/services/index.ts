import type { ServiceModule } from '../contracts.ts';
import { ec2Service } from './ec2/index.ts';
import { elbv2Service } from './elbv2/index.ts';
import { iam } from './iam/index.ts';
import { sts } from './sts/index.ts';

/**
 * Every AWS service module the gateway serves, by signing name. DynamoDB is not listed: dynalite serves it
 * behind the gateway as a raw service (`services/dynamodb`). Auto Scaling and SSM join when their modules land.
 */
export const serviceModules: readonly ServiceModule[] = [sts, iam, ec2Service, elbv2Service];
