import { ResilientError } from './errors.ts';

/** Deployment names become part of AWS resource names: short, lowercase, DNS- and IAM-safe. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,11}$/;
export const DEFAULT_NAME = 'demo';
/** The tag every resource carries, where the service allows tags: how destroy finds what the ledger missed. */
export const DEPLOYMENT_TAG_KEY = 'resilient:deployment';
/**
 * The Region a deployment runs in, tagged beside its name: IAM is global, so the same deployment name
 * in two Regions of one account shares an IAM namespace, and only this tag says whose a role is.
 */
export const REGION_TAG_KEY = 'resilient:region';

export function assertValidName(name: string): string {
  if (!NAME_PATTERN.test(name)) {
    throw new ResilientError('USAGE', `Invalid deployment name '${name}'.`, {
      hint: 'Use 1-12 characters: a lowercase letter, then lowercase letters, digits or dashes.',
    });
  }
  return name;
}

export interface ResourceNames {
  readonly deployment: string;
  readonly table: string;
  readonly instancePolicy: string;
  readonly instanceRole: string;
  readonly instanceProfile: string;
  readonly bcPolicy: string;
  readonly bcRole: string;
  readonly bcProfile: string;
  readonly launchTemplate: string;
  readonly group: string;
  readonly targetGroup: string;
  readonly loadBalancer: string;
  readonly parameters: {
    readonly table: string;
    readonly failureResponse: string;
    readonly healthCheck: string;
  };
}

/**
 * Every resource name of a deployment, derived from its name and Region alone (so destroy can find them
 * without a ledger). IAM names are global to the account, so they carry the Region: `resilient-dup-…`
 * in us-west-2 and in us-east-1 are two deployments with two sets of roles. The longest, a role
 * `resilient-<12>-<region ≤ 14>-instance`, is 46 characters: within IAM's 64 for roles (128 for
 * policies and instance profiles). Without a Region: the names before they were Region-safe, which
 * destroy still removes when a checkpoint's ledger records them.
 */
export function resourceNames(name: string, region?: string): ResourceNames {
  assertValidName(name);
  const p = `resilient-${name}`;
  const iam = region === undefined ? p : `${p}-${region}`;
  return {
    deployment: name,
    table: `${p}-recommendations`,
    instancePolicy: `${iam}-instance`,
    instanceRole: `${iam}-instance`,
    instanceProfile: `${iam}-instance`,
    bcPolicy: `${iam}-bc`,
    bcRole: `${iam}-bc`,
    bcProfile: `${iam}-bc`,
    launchTemplate: `${p}-template`,
    group: `${p}-group`,
    targetGroup: `${p}-tg`,
    loadBalancer: `${p}-lb`,
    parameters: {
      table: `/resilient/${name}/table`,
      failureResponse: `/resilient/${name}/failure-response`,
      healthCheck: `/resilient/${name}/health-check`,
    },
  };
}

/** The tag list in the shape most services take (`Key`/`Value`): the deployment and, when known, its Region. */
export function deploymentTags(name: string, region?: string): { Key: string; Value: string }[] {
  return [
    { Key: DEPLOYMENT_TAG_KEY, Value: name },
    ...(region === undefined ? [] : [{ Key: REGION_TAG_KEY, Value: region }]),
  ];
}

/** Do these tags say the resource is this deployment's, in this Region? */
export function taggedAsOurs(
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
  name: string,
  region: string,
): boolean {
  const value = (key: string) => tags?.find((t) => t.Key === key)?.Value;
  return value(DEPLOYMENT_TAG_KEY) === name && value(REGION_TAG_KEY) === region;
}
