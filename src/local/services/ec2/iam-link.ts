/**
 * The few IAM facts EC2 and SSM need: an instance profile by name or ARN (with the role it carries) and
 * whether a role has a managed policy attached. This file is the only place that reads IAM's model.
 */
import type { Cloud } from '../../contracts.ts';
import { findRole, findInstanceProfile as iamFindInstanceProfile } from '../iam/model.ts';

export interface InstanceProfileInfo {
  readonly arn: string;
  readonly id: string;
  readonly name: string;
  /** The role in the profile now (a profile holds at most one role). */
  readonly roleName: string | undefined;
}

/** Looks an instance profile up by `Name` or `Arn`, as `IamInstanceProfileSpecification` allows. */
export function findInstanceProfile(
  cloud: Cloud,
  ref: { Name?: string | undefined; Arn?: string | undefined },
): InstanceProfileInfo | undefined {
  const key = ref.Arn ?? ref.Name;
  if (key === undefined) return undefined;
  const found = iamFindInstanceProfile(cloud, key);
  if (found === undefined) return undefined;
  return { arn: found.arn, id: found.id, name: found.name, roleName: found.roleNames[0] };
}

/** Whether `roleName` has a managed policy whose ARN ends with `/<policyName>` attached. */
export function roleHasManagedPolicy(cloud: Cloud, roleName: string, policyName: string): boolean {
  const role = findRole(cloud, roleName);
  return role?.attachedPolicyArns.some((arn) => arn.endsWith(`/${policyName}`)) ?? false;
}
