import type {
  AttachRolePolicyCommandInput,
  CreatePolicyCommandInput,
  DeletePolicyCommandInput,
  DetachRolePolicyCommandInput,
  GetPolicyCommandInput,
  ListAttachedRolePoliciesCommandInput,
  ListPoliciesCommandInput,
  ListPolicyTagsCommandInput,
  TagPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { parsePolicy } from '../../api/iam-policy.ts';
import type { CallContext, Cloud } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import { iamErrors } from './errors.ts';
import { iamId } from './ids.ts';
import {
  alreadyExists,
  byPathPrefix,
  checkName,
  checkPath,
  deleteConflict,
  mergeTags,
  noSuchEntity,
  optStr,
  paginate,
  parseTags,
  str,
} from './inputs.ts';
import { AWS_MANAGED_POLICIES, awsManagedPolicy } from './managed-policies.ts';
import { iamArn, iamState, type PolicyRecord } from './model.ts';
import { requireRole } from './roles.ts';

const attachmentCount = (cloud: Cloud, arn: string): number =>
  Object.values(iamState(cloud).roles).filter((r) => r.attachedPolicyArns.includes(arn)).length;

interface PolicyView {
  readonly name: string;
  readonly arn: string;
  readonly path: string;
  readonly id: string;
  readonly createDate: number;
  readonly description: string | undefined;
  readonly tags: readonly { Key: string; Value: string }[];
}

/** AWS-managed policies are presented with a fixed id and creation date: they are not this account's. */
const managedView = (arn: string): PolicyView | undefined => {
  const p = awsManagedPolicy(arn);
  return p === undefined
    ? undefined
    : {
        name: p.name,
        arn: p.arn,
        path: p.path,
        id: `ANPA${p.name.toUpperCase().slice(0, 17)}`,
        createDate: 0,
        description: p.description,
        tags: [],
      };
};

const customerView = (p: PolicyRecord): PolicyView => ({
  name: p.policyName,
  arn: p.arn,
  path: p.path,
  id: p.policyId,
  createDate: p.createDate,
  description: p.description,
  tags: p.tags,
});

function policyOutput(cloud: Cloud, p: PolicyView, withTags = true): Record<string, unknown> {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: 'v1',
    AttachmentCount: attachmentCount(cloud, p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: new Date(p.createDate),
    UpdateDate: new Date(p.createDate),
    ...(withTags && p.tags.length > 0 ? { Tags: p.tags } : {}),
  };
}

function findPolicy(cloud: Cloud, arn: string): PolicyView | undefined {
  const customer = iamState(cloud).policies[arn];
  return customer !== undefined ? customerView(customer) : managedView(arn);
}

function requirePolicy(cloud: Cloud, arn: string): PolicyView {
  const p = findPolicy(cloud, arn);
  if (p === undefined) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return p;
}

function createPolicy(input: CreatePolicyCommandInput, { cloud }: CallContext): unknown {
  const name = str(input.PolicyName);
  checkName('policyName', name, 128);
  const path = checkPath('path', optStr(input.Path) ?? '/');
  const document = str(input.PolicyDocument);
  const parsed = parsePolicy(document, 'identity');
  if (!parsed.ok) throw iamErrors.malformedPolicy(parsed.message);
  const state = iamState(cloud);
  // Policy names are unique per account regardless of path.
  if (Object.values(state.policies).some((p) => p.policyName.toLowerCase() === name.toLowerCase())) {
    throw alreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
  }
  const record: PolicyRecord = {
    policyName: name,
    policyId: iamId('ANPA'),
    arn: iamArn(cloud, 'policy', path, name),
    path,
    createDate: cloud.clock.now(),
    document,
    description: optStr(input.Description),
    tags: mergeTags([], parseTags(input.Tags)),
  };
  state.policies[record.arn] = record;
  cloud.commit();
  return { Policy: policyOutput(cloud, customerView(record)) };
}

function getPolicy(input: GetPolicyCommandInput, { cloud }: CallContext): unknown {
  return { Policy: policyOutput(cloud, requirePolicy(cloud, str(input.PolicyArn))) };
}

function deletePolicy(input: DeletePolicyCommandInput, { cloud }: CallContext): unknown {
  const arn = str(input.PolicyArn);
  const state = iamState(cloud);
  if (state.policies[arn] === undefined) {
    if (awsManagedPolicy(arn) !== undefined) {
      throw iamErrors.accessDenied(`Cannot delete the AWS managed policy ${arn}.`);
    }
    throw noSuchEntity(`Policy ${arn} was not found.`);
  }
  if (attachmentCount(cloud, arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
  delete state.policies[arn];
  cloud.commit();
  return {};
}

/** ListPolicies: Scope All (default) | AWS | Local, OnlyAttached, PathPrefix, Marker/MaxItems. */
function listPolicies(input: ListPoliciesCommandInput, { cloud }: CallContext): unknown {
  const scope = optStr(input.Scope) ?? 'All';
  const views: PolicyView[] = [];
  if (scope !== 'AWS') views.push(...Object.values(iamState(cloud).policies).map(customerView));
  if (scope !== 'Local') views.push(...AWS_MANAGED_POLICIES.flatMap((p) => managedView(p.arn) ?? []));
  const filtered = views
    .filter((p) => byPathPrefix(p.path, input))
    .filter((p) => input.OnlyAttached !== true || attachmentCount(cloud, p.arn) > 0);
  const page = paginate(filtered, (p) => `${p.name}\u0000${p.arn}`, input);
  return {
    Policies: page.items.map((p) => policyOutput(cloud, p, false)),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}

function tagPolicy(input: TagPolicyCommandInput, { cloud }: CallContext): unknown {
  const arn = str(input.PolicyArn);
  const record = iamState(cloud).policies[arn];
  if (record === undefined) throw noSuchEntity(`Policy ${arn} was not found.`);
  record.tags = mergeTags(record.tags, parseTags(input.Tags));
  cloud.commit();
  return {};
}

function listPolicyTags(input: ListPolicyTagsCommandInput, { cloud }: CallContext): unknown {
  const arn = str(input.PolicyArn);
  const record = iamState(cloud).policies[arn];
  if (record === undefined) throw noSuchEntity(`Policy ${arn} was not found.`);
  const page = paginate(record.tags, (t) => t.Key, input);
  return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

function attachRolePolicy(input: AttachRolePolicyCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const policy = requirePolicy(cloud, str(input.PolicyArn));
  if (!role.attachedPolicyArns.includes(policy.arn)) {
    // IAM quota: 10 managed policies per role by default.
    if (role.attachedPolicyArns.length >= 10) {
      throw iamErrors.limitExceeded('Cannot exceed quota for PoliciesPerRole: 10');
    }
    role.attachedPolicyArns.push(policy.arn);
    cloud.commit();
  }
  return {};
}

function detachRolePolicy(input: DetachRolePolicyCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const arn = str(input.PolicyArn);
  if (!role.attachedPolicyArns.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
  role.attachedPolicyArns = role.attachedPolicyArns.filter((a) => a !== arn);
  cloud.commit();
  return {};
}

function listAttachedRolePolicies(
  input: ListAttachedRolePoliciesCommandInput,
  { cloud }: CallContext,
): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const attached = role.attachedPolicyArns
    .flatMap((arn) => findPolicy(cloud, arn) ?? [])
    .filter((p) => byPathPrefix(p.path, input));
  const page = paginate(attached, (p) => p.name, input);
  return {
    AttachedPolicies: page.items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}

export const policyOperations = {
  CreatePolicy: op(createPolicy),
  GetPolicy: op(getPolicy),
  DeletePolicy: op(deletePolicy),
  ListPolicies: op(listPolicies),
  TagPolicy: op(tagPolicy),
  ListPolicyTags: op(listPolicyTags),
  AttachRolePolicy: op(attachRolePolicy),
  DetachRolePolicy: op(detachRolePolicy),
  ListAttachedRolePolicies: op(listAttachedRolePolicies),
};
