import { usageError } from '../src/errors.ts';
import trustPolicy from './ec2_trust_policy.json' with { type: 'json' };
import instanceTemplate from './instance_policy.json' with { type: 'json' };
import ssmOnlyTemplate from './ssm_only_policy.json' with { type: 'json' };

/** An IAM policy document as IAM accepts it (what CreatePolicy / CreateRole take, JSON-encoded). */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: Record<string, string>;
}

export interface ParameterNameSet {
  readonly table: string;
  readonly failureResponse: string;
  readonly healthCheck: string;
}

export interface PolicyScope {
  /** `aws`, `aws-cn` or `aws-us-gov` (from the caller identity ARN). */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly parameterNames: ParameterNameSet;
}

export interface InstancePolicyScope extends PolicyScope {
  readonly tableName: string;
}

/**
 * The managed policy the bad-credentials role also gets, so Systems Manager can still reach the
 * instance (seed, "Create an instance profile with bad credentials", step 4).
 */
export const ssmManagedInstanceCoreArn = (partition: string): string =>
  `arn:${checkPartition(partition)}:iam::aws:policy/AmazonSSMManagedInstanceCore`;

/** Lets EC2 assume the role: the trust policy of both instance roles. */
export function ec2TrustPolicy(): PolicyDocument {
  return structuredClone(trustPolicy) as PolicyDocument;
}

/**
 * Least privilege for the recommendation server: GetItem and DescribeTable (deep health check) on this
 * deployment's table only, and GetParameters on this deployment's three parameters only. The reference
 * policy grants `dynamodb:Describe*`, `List*`, `Scan`, `Query`, `BatchGetItem` and `ssm:GetParameters`
 * on `*`; the server uses none of the former and needs only its own parameters.
 */
export function instancePolicy(scope: InstancePolicyScope): PolicyDocument {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(scope.tableName)) {
    throw usageError(`'${scope.tableName}' is not a valid DynamoDB table name`);
  }
  return render(instanceTemplate, { ...placeholders(scope), TableName: scope.tableName });
}

/**
 * The "bad credentials" policy: the same parameters, and nothing on DynamoDB, so the server on an
 * instance with this profile fails its table reads with AccessDeniedException.
 */
export function ssmOnlyPolicy(scope: PolicyScope): PolicyDocument {
  return render(ssmOnlyTemplate, placeholders(scope));
}

/** The ARN path of a parameter: IAM writes `parameter/name` for both `/a/b` and `name` (SSM user guide). */
export function parameterArn(scope: Omit<PolicyScope, 'parameterNames'>, name: string): string {
  return `arn:${checkPartition(scope.partition)}:ssm:${scope.region}:${scope.accountId}:parameter${parameterPath(name)}`;
}

function parameterPath(name: string): string {
  if (!/^\/?[A-Za-z0-9_.\-/]{1,1011}$/.test(name) || name.includes('//')) {
    throw usageError(`'${name}' is not a valid SSM parameter name`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}

function checkPartition(partition: string): string {
  if (!/^aws(-cn|-us-gov|-iso[a-z-]*)?$/.test(partition))
    throw usageError(`'${partition}' is not an AWS partition`);
  return partition;
}

function placeholders(scope: PolicyScope): Record<string, string> {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(scope.region))
    throw usageError(`'${scope.region}' is not an AWS region`);
  if (!/^\d{12}$/.test(scope.accountId))
    throw usageError(`'${scope.accountId}' is not a 12-digit account id`);
  return {
    Partition: checkPartition(scope.partition),
    Region: scope.region,
    AccountId: scope.accountId,
    TableParameter: parameterPath(scope.parameterNames.table),
    FailureResponseParameter: parameterPath(scope.parameterNames.failureResponse),
    HealthCheckParameter: parameterPath(scope.parameterNames.healthCheck),
  };
}

/** Fills `{{Name}}` placeholders in every string of a template; an unfilled one is a bug. */
function render(template: unknown, values: Readonly<Record<string, string>>): PolicyDocument {
  const text = JSON.stringify(template).replace(/\{\{(\w+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`policy template placeholder ${whole} has no value`);
    // Values land inside JSON strings: escape them as JSON would.
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as PolicyDocument;
}
