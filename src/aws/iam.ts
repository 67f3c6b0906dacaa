import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetRoleCommand,
  type IAMClient,
  type InstanceProfile,
  ListAttachedRolePoliciesCommand,
  type Policy,
  RemoveRoleFromInstanceProfileCommand,
  type Role,
  type Tag,
} from '@aws-sdk/client-iam';
import { type CallOptions, isAwsError, sendOptions } from './errors.ts';

export type Deletion = 'deleted' | 'not-found' | 'in-use';

/**
 * The IAM operations resilient uses. `EntityAlreadyExists` (a re-run or a resumed create) becomes
 * `{exists: true}`, `NoSuchEntity` becomes `undefined`/`'not-found'`, and `DeleteConflict` (a policy
 * still attached, a role still in a profile) becomes `'in-use'`.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export interface Iam {
  createPolicy(
    input: { name: string; document: string; tags: Tag[]; accountId: string; partition?: string },
    options?: CallOptions,
  ): Promise<{ created: true; arn: string } | { exists: true; arn: string }>;
  getPolicy(arn: string, options?: CallOptions): Promise<Policy | undefined>;
  deletePolicy(arn: string, options?: CallOptions): Promise<Deletion>;
  createRole(
    input: { name: string; assumeRolePolicy: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<{ created: true; role: Role } | { exists: true }>;
  getRole(name: string, options?: CallOptions): Promise<Role | undefined>;
  deleteRole(name: string, options?: CallOptions): Promise<Deletion>;
  attachRolePolicy(role: string, policyArn: string, options?: CallOptions): Promise<'attached' | 'not-found'>;
  detachRolePolicy(role: string, policyArn: string, options?: CallOptions): Promise<'detached' | 'not-found'>;
  /** Attached managed policies of a role; `undefined` when the role does not exist. */
  listAttachedRolePolicies(
    role: string,
    options?: CallOptions,
  ): Promise<{ arn: string; name: string }[] | undefined>;
  createInstanceProfile(
    input: { name: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<{ created: true; profile: InstanceProfile } | { exists: true }>;
  getInstanceProfile(name: string, options?: CallOptions): Promise<InstanceProfile | undefined>;
  /** `'already'`: the profile already holds a role (a profile holds at most one: LimitExceeded). */
  addRoleToInstanceProfile(
    profile: string,
    role: string,
    options?: CallOptions,
  ): Promise<'added' | 'already' | 'not-found'>;
  removeRoleFromInstanceProfile(
    profile: string,
    role: string,
    options?: CallOptions,
  ): Promise<'removed' | 'not-found'>;
  deleteInstanceProfile(name: string, options?: CallOptions): Promise<Deletion>;
}

const NOT_FOUND = 'NoSuchEntity';
const EXISTS = 'EntityAlreadyExists';
const CONFLICT = 'DeleteConflict';

async function deletion(run: () => Promise<unknown>): Promise<Deletion> {
  try {
    await run();
    return 'deleted';
  } catch (error: unknown) {
    if (isAwsError(error, NOT_FOUND)) return 'not-found';
    if (isAwsError(error, CONFLICT)) return 'in-use';
    throw error;
  }
}

async function orUndefined<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error: unknown) {
    if (isAwsError(error, NOT_FOUND)) return undefined;
    throw error;
  }
}

export function createIam(client: IAMClient): Iam {
  return {
    async createPolicy({ name, document, tags, accountId, partition = 'aws' }, options) {
      try {
        const out = await client.send(
          new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document, Tags: tags }),
          sendOptions(options),
        );
        return { created: true, arn: out.Policy?.Arn ?? '' };
      } catch (error: unknown) {
        // Customer managed policy ARNs are deterministic: arn:<partition>:iam::<account>:policy/<name>.
        if (isAwsError(error, EXISTS))
          return { exists: true, arn: `arn:${partition}:iam::${accountId}:policy/${name}` };
        throw error;
      }
    },
    getPolicy: (arn, options) =>
      orUndefined(
        async () =>
          (await client.send(new GetPolicyCommand({ PolicyArn: arn }), sendOptions(options))).Policy,
      ),
    deletePolicy: (arn, options) =>
      deletion(() => client.send(new DeletePolicyCommand({ PolicyArn: arn }), sendOptions(options))),
    async createRole({ name, assumeRolePolicy, tags }, options) {
      try {
        const out = await client.send(
          new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: assumeRolePolicy, Tags: tags }),
          sendOptions(options),
        );
        if (out.Role === undefined) throw new Error(`CreateRole ${name} returned no role`);
        return { created: true, role: out.Role };
      } catch (error: unknown) {
        if (isAwsError(error, EXISTS)) return { exists: true };
        throw error;
      }
    },
    getRole: (name, options) =>
      orUndefined(
        async () => (await client.send(new GetRoleCommand({ RoleName: name }), sendOptions(options))).Role,
      ),
    deleteRole: (name, options) =>
      deletion(() => client.send(new DeleteRoleCommand({ RoleName: name }), sendOptions(options))),
    async attachRolePolicy(role, policyArn, options) {
      const out = await orUndefined(() =>
        client.send(
          new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }),
          sendOptions(options),
        ),
      );
      return out === undefined ? 'not-found' : 'attached';
    },
    async detachRolePolicy(role, policyArn, options) {
      const out = await orUndefined(() =>
        client.send(
          new DetachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }),
          sendOptions(options),
        ),
      );
      return out === undefined ? 'not-found' : 'detached';
    },
    listAttachedRolePolicies: (role, options) =>
      orUndefined(async () => {
        const found: { arn: string; name: string }[] = [];
        let marker: string | undefined;
        do {
          const out = await client.send(
            new ListAttachedRolePoliciesCommand({ RoleName: role, Marker: marker }),
            sendOptions(options),
          );
          for (const p of out.AttachedPolicies ?? [])
            found.push({ arn: p.PolicyArn ?? '', name: p.PolicyName ?? '' });
          marker = out.IsTruncated === true ? out.Marker : undefined;
        } while (marker !== undefined);
        return found;
      }),
    async createInstanceProfile({ name, tags }, options) {
      try {
        const out = await client.send(
          new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: tags }),
          sendOptions(options),
        );
        if (out.InstanceProfile === undefined)
          throw new Error(`CreateInstanceProfile ${name} returned no profile`);
        return { created: true, profile: out.InstanceProfile };
      } catch (error: unknown) {
        if (isAwsError(error, EXISTS)) return { exists: true };
        throw error;
      }
    },
    getInstanceProfile: (name, options) =>
      orUndefined(
        async () =>
          (
            await client.send(
              new GetInstanceProfileCommand({ InstanceProfileName: name }),
              sendOptions(options),
            )
          ).InstanceProfile,
      ),
    async addRoleToInstanceProfile(profile, role, options) {
      try {
        await client.send(
          new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }),
          sendOptions(options),
        );
        return 'added';
      } catch (error: unknown) {
        if (isAwsError(error, NOT_FOUND)) return 'not-found';
        // "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1": the role is already there.
        if (isAwsError(error, 'LimitExceeded', EXISTS)) return 'already';
        throw error;
      }
    },
    async removeRoleFromInstanceProfile(profile, role, options) {
      const out = await orUndefined(() =>
        client.send(
          new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }),
          sendOptions(options),
        ),
      );
      return out === undefined ? 'not-found' : 'removed';
    },
    deleteInstanceProfile: (name, options) =>
      deletion(() =>
        client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }), sendOptions(options)),
      ),
  };
}
