import type { Tag } from '@aws-sdk/client-iam';
import { ec2TrustPolicy } from '../../resources/policies.ts';
import type { Created } from '../aws/result.ts';
import type { ResourceKind } from '../checkpoint/schema.ts';
import { ResilientError } from '../errors.ts';
import { deploymentTags, REGION_TAG_KEY, resourceNames, taggedAsOurs } from '../names.ts';
import type { StepDeps } from './deps.ts';
import { createOrAdopt, recordGone } from './kit.ts';

/**
 * IAM names are global to the account: one that exists is this deployment's only if its tags say so,
 * for this Region too. Anything else — another Region's deployment of the same name, a resource someone
 * made by hand — is never adopted, and its name blocks the deploy before anything is created
 * (docs/architecture.md, "Real AWS").
 */
export function notOurs(deps: StepDeps, kind: string, name: string): ResilientError {
  return new ResilientError(
    'PRECONDITION',
    `IAM ${kind} ${name} exists and is not ours: it is not tagged resilient:deployment=${deps.names.deployment}, ${REGION_TAG_KEY}=${deps.region}.`,
    { hint: 'pick another --name, or delete or retag that resource if it is a leftover of this deployment' },
  );
}

const oursIn = (deps: StepDeps) => (tags: readonly Tag[] | undefined) =>
  taggedAsOurs(tags, deps.names.deployment, deps.region);

/** The first IAM name of the deployment that exists and is not ours (preflight: before the first create). */
export async function foreignIam(
  deps: StepDeps,
  account: string,
  partition: string,
  signal: AbortSignal,
): Promise<ResilientError | undefined> {
  const { iam } = deps.aws;
  const { names } = deps;
  const ours = oursIn(deps);
  const entities: [string, string, () => Promise<{ Tags?: Tag[] | undefined } | undefined>][] = [
    ...[names.instancePolicy, names.bcPolicy].map((policy) => [
      'policy',
      policy,
      () => iam.getPolicy(`arn:${partition}:iam::${account}:policy/${policy}`, { signal }),
    ]),
    ...[names.instanceRole, names.bcRole].map((role) => ['role', role, () => iam.getRole(role, { signal })]),
    ...[names.instanceProfile, names.bcProfile].map((profile) => [
      'instance profile',
      profile,
      () => iam.getInstanceProfile(profile, { signal }),
    ]),
  ] as [string, string, () => Promise<{ Tags?: Tag[] | undefined } | undefined>][];
  for (const [kind, name, get] of entities) {
    const found = await get();
    if (found !== undefined && !ours(found.Tags)) return notOurs(deps, kind, name);
  }
  return undefined;
}

/** Creates (or adopts, when its tags say it is ours) a policy, a role trusting EC2 with it attached, and an instance profile holding the role. */
export async function createIamSet(
  deps: StepDeps,
  scope: { accountId: string; partition: string },
  signal: AbortSignal,
  names: { policy: string; role: string; profile: string },
  document: string,
): Promise<void> {
  const { iam } = deps.aws;
  const tags = deploymentTags(deps.names.deployment, deps.region);
  const ours = oursIn(deps);
  // Preflight found none that is not ours; one made since then (a race) is refused all the same.
  const adoptable = (kind: string, name: string) => (found: { Tags?: Tag[] | undefined }) => {
    if (!ours(found.Tags)) throw notOurs(deps, kind, name);
  };
  const arn = ({ value }: Created<{ Arn?: string | undefined }>) => ({ arn: value.Arn });
  const policy = await createOrAdopt(
    deps,
    'policy',
    names.policy,
    () => iam.createPolicy({ name: names.policy, document, tags, ...scope }, { signal }),
    { ids: arn, adoptable: adoptable('policy', names.policy), shownId: (p) => p.Arn },
  );
  const assumeRolePolicy = JSON.stringify(ec2TrustPolicy());
  await createOrAdopt(
    deps,
    'role',
    names.role,
    () => iam.createRole({ name: names.role, assumeRolePolicy, tags }, { signal }),
    { ids: arn, adoptable: adoptable('role', names.role) },
  );
  const policyArn = policy.value.Arn ?? '';
  if ((await iam.attachRolePolicy(names.role, policyArn, { signal })) === 'not-found') {
    throw new ResilientError('CLOUD', `Policy ${policyArn} or role ${names.role} vanished while attaching.`);
  }
  await createOrAdopt(
    deps,
    'instance-profile',
    names.profile,
    () => iam.createInstanceProfile({ name: names.profile, tags }, { signal }),
    { ids: arn, adoptable: adoptable('instance profile', names.profile) },
  );
  if ((await iam.addRoleToInstanceProfile(names.profile, names.role, { signal })) === 'not-found') {
    throw new ResilientError('CLOUD', `Instance profile ${names.profile} vanished while adding its role.`);
  }
}

interface IamSet {
  readonly policy: string;
  readonly role: string;
  readonly profile: string;
  /** A name from before IAM names carried the Region, recorded in this checkpoint's ledger. */
  readonly legacy: boolean;
}
const IAM_KINDS: readonly ResourceKind[] = ['policy', 'role', 'instance-profile'];

/**
 * The IAM sets destroy deletes: this Region's names, plus the names from before they were Region-safe
 * when this checkpoint's ledger records them (those are ours by the ledger, whatever their tags).
 */
function iamSets(deps: StepDeps): IamSet[] {
  const { names, ledger } = deps;
  const legacy = resourceNames(names.deployment);
  const sets: IamSet[] = [
    { policy: names.instancePolicy, role: names.instanceRole, profile: names.instanceProfile, legacy: false },
    { policy: names.bcPolicy, role: names.bcRole, profile: names.bcProfile, legacy: false },
  ];
  for (const set of [
    { policy: legacy.instancePolicy, role: legacy.instanceRole, profile: legacy.instanceProfile },
    { policy: legacy.bcPolicy, role: legacy.bcRole, profile: legacy.bcProfile },
  ]) {
    const recorded = ledger
      .entries()
      .some(
        (e) => IAM_KINDS.includes(e.kind) && Object.values(set).includes(e.name) && e.status !== 'deleted',
      );
    if (recorded && set.role !== names.instanceRole && set.role !== names.bcRole)
      sets.push({ ...set, legacy: true });
  }
  return sets;
}

/** A set from this ledger's legacy names is ours by the ledger; any other by its tags. */
const setIsOurs = (deps: StepDeps) => (set: IamSet, tags: readonly Tag[] | undefined) =>
  set.legacy || oursIn(deps)(tags);

/**
 * Deletes the deployment's IAM (seed "Destroy" step 7): profiles emptied of their roles, roles detached
 * from every policy (ours are deleted next; AWS managed ones are only detached), then our policies. Only
 * what is tagged as this deployment in this Region is deleted: a role of this name may be another
 * Region's deployment of the same name, or someone else's. Returns why it must wait, if IAM still
 * holds something in use; `undefined` when done.
 */
export async function deleteIamSets(
  deps: StepDeps,
  policyArn: (name: string) => Promise<string>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const { iam } = deps.aws;
  const { ledger } = deps;
  const ours = setIsOurs(deps);
  /** Records the outcome for one IAM entity: gone, or left alone because it is not ours. */
  const settle = (
    kind: 'instance-profile' | 'role' | 'policy',
    set: IamSet,
    found: { Tags?: Tag[] | undefined } | undefined,
  ) => {
    const name = kind === 'instance-profile' ? set.profile : kind === 'role' ? set.role : set.policy;
    if (found !== undefined && !ours(set, found.Tags)) {
      deps.emit({
        type: 'info',
        message: `IAM ${kind} ${name} is not this deployment's in ${deps.region}: left alone.`,
      });
      return;
    }
    recordGone(deps, kind, name, found !== undefined);
  };
  for (const set of iamSets(deps)) {
    const profile = await iam.getInstanceProfile(set.profile, { signal });
    if (profile !== undefined && ours(set, profile.Tags)) {
      ledger.deleting('instance-profile', set.profile);
      for (const role of profile.Roles ?? []) {
        if (role.RoleName !== undefined)
          await iam.removeRoleFromInstanceProfile(set.profile, role.RoleName, { signal });
      }
      if ((await iam.deleteInstanceProfile(set.profile, { signal })) === 'in-use')
        return `instance profile ${set.profile} still in use`;
    }
    settle('instance-profile', set, profile);
    const role = await iam.getRole(set.role, { signal });
    if (role !== undefined && ours(set, role.Tags)) {
      ledger.deleting('role', set.role);
      for (const policy of (await iam.listAttachedRolePolicies(set.role, { signal })) ?? [])
        await iam.detachRolePolicy(set.role, policy.arn, { signal });
      if ((await iam.deleteRole(set.role, { signal })) === 'in-use') return `role ${set.role} still in use`;
    }
    settle('role', set, role);
    const arn = await policyArn(set.policy);
    const policy = await iam.getPolicy(arn, { signal });
    if (policy !== undefined && ours(set, policy.Tags)) {
      if ((await iam.deletePolicy(arn, { signal })) === 'in-use')
        return `policy ${set.policy} still attached`;
    }
    settle('policy', set, policy);
  }
  return undefined;
}

/** What is left of the deployment's IAM (destroy's verification): only what is ours counts. */
export async function iamLeftovers(
  deps: StepDeps,
  policyArn: (name: string) => Promise<string>,
  signal: AbortSignal,
): Promise<string[]> {
  const { iam } = deps.aws;
  const ours = setIsOurs(deps);
  const left: string[] = [];
  for (const set of iamSets(deps)) {
    const profile = await iam.getInstanceProfile(set.profile, { signal });
    if (profile !== undefined && ours(set, profile.Tags)) left.push(`instance profile ${set.profile}`);
    const role = await iam.getRole(set.role, { signal });
    if (role !== undefined && ours(set, role.Tags)) left.push(`role ${set.role}`);
    const arn = await policyArn(set.policy);
    const policy = await iam.getPolicy(arn, { signal });
    if (policy !== undefined && ours(set, policy.Tags)) left.push(`policy ${arn}`);
  }
  return left;
}
