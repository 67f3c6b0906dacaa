import type { Cloud } from '../../contracts.ts';
import { awsManagedPolicy } from './managed-policies.ts';

/** IAM's slice of the local cloud state (`cloud.state.iam`). Times are epoch ms; JSON-serializable. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface RoleRecord {
  readonly roleName: string;
  readonly roleId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  assumeRolePolicyDocument: string;
  description: string | undefined;
  maxSessionDuration: number;
  tags: Tag[];
  attachedPolicyArns: string[];
}

export interface PolicyRecord {
  readonly policyName: string;
  readonly policyId: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  readonly document: string;
  readonly description: string | undefined;
  tags: Tag[];
}

export interface InstanceProfileRecord {
  readonly name: string;
  readonly id: string;
  readonly arn: string;
  readonly path: string;
  readonly createDate: number;
  roleNames: string[];
  tags: Tag[];
}

export interface IamState {
  /** Keyed by lower-cased name: IAM names are unique regardless of case. */
  roles: Record<string, RoleRecord>;
  /** Customer-managed policies keyed by ARN. */
  policies: Record<string, PolicyRecord>;
  instanceProfiles: Record<string, InstanceProfileRecord>;
}

export function iamState(cloud: Cloud): IamState {
  const state = cloud.state as Record<string, IamState | undefined>;
  let slice = state.iam;
  if (slice === undefined) {
    slice = { roles: {}, policies: {}, instanceProfiles: {} };
    state.iam = slice;
  }
  return slice;
}

export const roleKey = (name: string): string => name.toLowerCase();

export function findRole(cloud: Cloud, name: string): RoleRecord | undefined {
  return iamState(cloud).roles[roleKey(name)];
}

export interface InstanceProfileRef {
  readonly arn: string;
  readonly name: string;
  readonly id: string;
  readonly roleNames: readonly string[];
}

/** Looks an instance profile up by name or by ARN (`arn:aws:iam::<acct>:instance-profile/<path><name>`). */
export function findInstanceProfile(cloud: Cloud, nameOrArn: string): InstanceProfileRef | undefined {
  const profiles = iamState(cloud).instanceProfiles;
  const found = nameOrArn.startsWith('arn:')
    ? Object.values(profiles).find((p) => p.arn === nameOrArn)
    : profiles[roleKey(nameOrArn)];
  return found === undefined
    ? undefined
    : { arn: found.arn, name: found.name, id: found.id, roleNames: [...found.roleNames] };
}

/** A managed policy document by ARN: customer-managed from the state, AWS-managed from the built-ins. */
export function policyDocument(cloud: Cloud, arn: string): string | undefined {
  return iamState(cloud).policies[arn]?.document ?? awsManagedPolicy(arn)?.document;
}

export const iamArn = (
  cloud: Cloud,
  type: 'role' | 'policy' | 'instance-profile',
  path: string,
  name: string,
): string => `arn:aws:iam::${cloud.config.accountId}:${type}${path}${name}`;
