import type {
  CreateRoleCommandInput,
  DeleteRoleCommandInput,
  GetRoleCommandInput,
  ListRolesCommandInput,
  ListRoleTagsCommandInput,
  TagRoleCommandInput,
  UntagRoleCommandInput,
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
import { iamArn, iamState, type RoleRecord, roleKey } from './model.ts';

export function requireRole(cloud: Cloud, name: string): RoleRecord {
  const role = iamState(cloud).roles[roleKey(name)];
  if (role === undefined) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

/** A role as the API shows it; the trust policy is URL-encoded (RFC 3986), as IAM returns it. */
export const roleOutput = (role: RoleRecord, withTags = true): Record<string, unknown> => ({
  Path: role.path,
  RoleName: role.roleName,
  RoleId: role.roleId,
  Arn: role.arn,
  CreateDate: new Date(role.createDate),
  AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
  Description: role.description,
  MaxSessionDuration: role.maxSessionDuration,
  ...(withTags && role.tags.length > 0 ? { Tags: role.tags } : {}),
});

export function checkTrustPolicy(document: string): void {
  const parsed = parsePolicy(document, 'trust');
  if (!parsed.ok) throw iamErrors.malformedPolicy(parsed.message);
}

function createRole(input: CreateRoleCommandInput, { cloud }: CallContext): unknown {
  const name = str(input.RoleName);
  checkName('roleName', name, 64);
  const path = checkPath('path', optStr(input.Path) ?? '/');
  const document = str(input.AssumeRolePolicyDocument);
  checkTrustPolicy(document);
  const maxSessionDuration = typeof input.MaxSessionDuration === 'number' ? input.MaxSessionDuration : 3600;
  if (maxSessionDuration < 3600 || maxSessionDuration > 43200) {
    throw iamErrors.validation(
      'maxSessionDuration',
      String(maxSessionDuration),
      'Member must have value between 3600 and 43200',
    );
  }
  const state = iamState(cloud);
  if (state.roles[roleKey(name)] !== undefined) throw alreadyExists(`Role with name ${name} already exists.`);
  const role: RoleRecord = {
    roleName: name,
    roleId: iamId('AROA'),
    arn: iamArn(cloud, 'role', path, name),
    path,
    createDate: cloud.clock.now(),
    assumeRolePolicyDocument: document,
    description: optStr(input.Description),
    maxSessionDuration,
    tags: mergeTags([], parseTags(input.Tags)),
    attachedPolicyArns: [],
  };
  state.roles[roleKey(name)] = role;
  cloud.commit();
  return { Role: roleOutput(role) };
}

function getRole(input: GetRoleCommandInput, { cloud }: CallContext): unknown {
  return { Role: roleOutput(requireRole(cloud, str(input.RoleName))) };
}

function deleteRole(input: DeleteRoleCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  if (role.attachedPolicyArns.length > 0)
    throw deleteConflict('Cannot delete entity, must detach all policies first.');
  const state = iamState(cloud);
  if (Object.values(state.instanceProfiles).some((p) => p.roleNames.includes(role.roleName))) {
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  }
  delete state.roles[roleKey(role.roleName)];
  cloud.commit();
  return {};
}

function listRoles(input: ListRolesCommandInput, { cloud }: CallContext): unknown {
  const roles = Object.values(iamState(cloud).roles).filter((r) => byPathPrefix(r.path, input));
  const page = paginate(roles, (r) => r.roleName, input);
  return {
    Roles: page.items.map((r) => roleOutput(r, false)),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}

function tagRole(input: TagRoleCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  role.tags = mergeTags(role.tags, parseTags(input.Tags));
  cloud.commit();
  return {};
}

function untagRole(input: UntagRoleCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const keys = new Set(Array.isArray(input.TagKeys) ? input.TagKeys : []);
  role.tags = role.tags.filter((t) => !keys.has(t.Key));
  cloud.commit();
  return {};
}

function listRoleTags(input: ListRoleTagsCommandInput, { cloud }: CallContext): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const page = paginate(role.tags, (t) => t.Key, input);
  return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export const roleOperations = {
  CreateRole: op(createRole),
  GetRole: op(getRole),
  DeleteRole: op(deleteRole),
  ListRoles: op(listRoles),
  TagRole: op(tagRole),
  UntagRole: op(untagRole),
  ListRoleTags: op(listRoleTags),
};
