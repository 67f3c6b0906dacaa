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
import { type CallOptions, code, isAwsError, orAbsent, outcome, sendOptions } from './errors.ts';
import { type Created, created, existing } from './result.ts';

export type Deletion = 'deleted' | 'not-found' | 'in-use';

/**
 * The IAM operations resilient uses. `EntityAlreadyExists` (a re-run or a resumed create) becomes
 * `created: false` with the existing entity as its Get call describes it (tags included: the caller
 * adopts it only if they say it is ours), `NoSuchEntity` becomes `undefined`/`'not-found'`, and
 * `DeleteConflict` (a policy still attached, a role still in a profile) becomes `'in-use'`.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 */
export interface Iam {
  createPolicy(
    input: { name: string; document: string; tags: Tag[]; accountId: string; partition?: string },
    options?: CallOptions,
  ): Promise<Created<Policy>>;
  getPolicy(arn: string, options?: CallOptions): Promise<Policy | undefined>;
  deletePolicy(arn: string, options?: CallOptions): Promise<Deletion>;
  createRole(
    input: { name: string; assumeRolePolicy: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<Role>>;
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
  ): Promise<Created<InstanceProfile>>;
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

const deletion = (run: () => Promise<unknown>): Promise<Deletion> =>
  outcome(run, 'deleted', ['not-found', code(NOT_FOUND)], ['in-use', code(CONFLICT)]);

const orUndefined = <T>(run: () => Promise<T>): Promise<T | undefined> => orAbsent(run, code(NOT_FOUND));

/** Create, or on `EntityAlreadyExists` the existing entity from its Get call. */
async function createOrGet<T>(
  what: string,
  create: () => Promise<T | undefined>,
  get: () => Promise<T | undefined>,
): Promise<Created<T>> {
  try {
    const made = await create();
    if (made === undefined) throw new Error(`Create${what} returned no ${what.toLowerCase()}`);
    return created(made);
  } catch (error: unknown) {
    if (!isAwsError(error, EXISTS)) throw error;
  }
  const found = await get();
  if (found === undefined) throw new Error(`IAM ${what.toLowerCase()} exists but Get${what} cannot find it`);
  return existing(found);
}

export function createIam(client: IAMClient): Iam {
  const getPolicy = (arn: string, options?: CallOptions) =>
    orUndefined(
      async () => (await client.send(new GetPolicyCommand({ PolicyArn: arn }), sendOptions(options))).Policy,
    );
  const getRole = (name: string, options?: CallOptions) =>
    orUndefined(
      async () => (await client.send(new GetRoleCommand({ RoleName: name }), sendOptions(options))).Role,
    );
  const getInstanceProfile = (name: string, options?: CallOptions) =>
    orUndefined(
      async () =>
        (
          await client.send(
            new GetInstanceProfileCommand({ InstanceProfileName: name }),
            sendOptions(options),
          )
        ).InstanceProfile,
    );
  return {
    createPolicy: ({ name, document, tags, accountId, partition = 'aws' }, options) =>
      createOrGet(
        'Policy',
        async () =>
          (
            await client.send(
              new CreatePolicyCommand({ PolicyName: name, PolicyDocument: document, Tags: tags }),
              sendOptions(options),
            )
          ).Policy,
        // Customer managed policy ARNs are deterministic: arn:<partition>:iam::<account>:policy/<name>.
        () => getPolicy(`arn:${partition}:iam::${accountId}:policy/${name}`, options),
      ),
    getPolicy,
    deletePolicy: (arn, options) =>
      deletion(() => client.send(new DeletePolicyCommand({ PolicyArn: arn }), sendOptions(options))),
    createRole: ({ name, assumeRolePolicy, tags }, options) =>
      createOrGet(
        'Role',
        async () =>
          (
            await client.send(
              new CreateRoleCommand({
                RoleName: name,
                AssumeRolePolicyDocument: assumeRolePolicy,
                Tags: tags,
              }),
              sendOptions(options),
            )
          ).Role,
        () => getRole(name, options),
      ),
    getRole,
    deleteRole: (name, options) =>
      deletion(() => client.send(new DeleteRoleCommand({ RoleName: name }), sendOptions(options))),
    attachRolePolicy: (role, policyArn, options) =>
      outcome(
        () =>
          client.send(
            new AttachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }),
            sendOptions(options),
          ),
        'attached',
        ['not-found', code(NOT_FOUND)],
      ),
    detachRolePolicy: (role, policyArn, options) =>
      outcome(
        () =>
          client.send(
            new DetachRolePolicyCommand({ RoleName: role, PolicyArn: policyArn }),
            sendOptions(options),
          ),
        'detached',
        ['not-found', code(NOT_FOUND)],
      ),
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
    createInstanceProfile: ({ name, tags }, options) =>
      createOrGet(
        'InstanceProfile',
        async () =>
          (
            await client.send(
              new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: tags }),
              sendOptions(options),
            )
          ).InstanceProfile,
        () => getInstanceProfile(name, options),
      ),
    getInstanceProfile,
    addRoleToInstanceProfile: (profile, role, options) =>
      outcome(
        () =>
          client.send(
            new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }),
            sendOptions(options),
          ),
        'added',
        ['not-found', code(NOT_FOUND)],
        // "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1": the role is already there.
        ['already', code('LimitExceeded', EXISTS)],
      ),
    removeRoleFromInstanceProfile: (profile, role, options) =>
      outcome(
        () =>
          client.send(
            new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }),
            sendOptions(options),
          ),
        'removed',
        ['not-found', code(NOT_FOUND)],
      ),
    deleteInstanceProfile: (name, options) =>
      deletion(() =>
        client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: name }), sendOptions(options)),
      ),
  };
}
