import type { Tag } from '@aws-sdk/client-iam';
import { ec2TrustPolicy } from '../../resources/policies.ts';
import type { Created } from '../aws/result.ts';
import { ResilientError } from '../errors.ts';
import { deploymentTags, REGION_TAG_KEY, taggedAsOurs } from '../names.ts';
import type { StepDeps } from './deps.ts';
import { createOrAdopt } from './kit.ts';

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
