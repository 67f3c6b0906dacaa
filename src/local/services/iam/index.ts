import type { Cloud, ServiceModule } from '../../contracts.ts';
import { str } from './inputs.ts';
import { instanceProfileOperations } from './instance-profiles.ts';
import { findRole, iamArn, iamState, roleKey } from './model.ts';
import { policyOperations } from './policies.ts';
import { policyVersionOperations } from './policy-versions.ts';
import { roleOperations } from './roles.ts';

export { findInstanceProfile, findRole } from './model.ts';

function roleArnFor(cloud: Cloud, name: string): string {
  return findRole(cloud, name)?.arn ?? iamArn(cloud, 'role', '/', name);
}

function profileArnFor(cloud: Cloud, name: string): string {
  return iamState(cloud).instanceProfiles[roleKey(name)]?.arn ?? iamArn(cloud, 'instance-profile', '/', name);
}

/**
 * IAM's resource for each action (Service Authorization Reference, "Actions defined by IAM"): the role for
 * role actions, the policy for policy actions, the instance profile for profile actions; List* on `*`.
 */
function resources(operation: string, input: Record<string, unknown>, cloud: Cloud): string[] {
  if (operation === 'CreatePolicy')
    return [iamArn(cloud, 'policy', str(input.Path) || '/', str(input.PolicyName))];
  if (typeof input.PolicyArn === 'string' && !operation.includes('Role')) return [input.PolicyArn];
  if (typeof input.InstanceProfileName === 'string') return [profileArnFor(cloud, input.InstanceProfileName)];
  if (typeof input.RoleName === 'string') return [roleArnFor(cloud, input.RoleName)];
  return ['*'];
}

export const iam: ServiceModule = {
  signingName: 'iam',
  protocol: 'awsQuery',
  actionPrefix: 'iam',
  operations: {
    ...roleOperations,
    ...policyOperations,
    ...policyVersionOperations,
    ...instanceProfileOperations,
  },
  resources: (operation, input, ctx) => resources(operation, input, ctx.cloud),
};
