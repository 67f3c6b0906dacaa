import { ResilientError } from './errors.ts';

/** Deployment names become part of AWS resource names: short, lowercase, DNS- and IAM-safe. */
export const NAME_PATTERN = /^[a-z][a-z0-9-]{0,11}$/;
export const DEFAULT_NAME = 'demo';
/** The tag every resource carries, where the service allows tags: how destroy finds what the ledger missed. */
export const DEPLOYMENT_TAG_KEY = 'resilient:deployment';

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

/** Every resource name of a deployment, derived from its name alone (so destroy can find them without a ledger). */
export function resourceNames(name: string): ResourceNames {
  assertValidName(name);
  const p = `resilient-${name}`;
  return {
    deployment: name,
    table: `${p}-recommendations`,
    instancePolicy: `${p}-instance`,
    instanceRole: `${p}-instance`,
    instanceProfile: `${p}-instance`,
    bcPolicy: `${p}-bc`,
    bcRole: `${p}-bc`,
    bcProfile: `${p}-bc`,
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

/** The tag list in the shape most services take (`Key`/`Value`). */
export function deploymentTags(name: string): { Key: string; Value: string }[] {
  return [{ Key: DEPLOYMENT_TAG_KEY, Value: name }];
}
