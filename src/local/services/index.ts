import type { ServiceModule } from '../contracts.ts';
import { iam } from './iam/index.ts';
import { sts } from './sts/index.ts';

/**
 * Every AWS service module the gateway serves, by signing name. DynamoDB is not listed: dynalite serves it
 * behind the gateway as a raw service (`services/dynamodb`).
 */
export const serviceModules: readonly ServiceModule[] = [sts, iam];
