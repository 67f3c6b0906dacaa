import type {
  AddRoleToInstanceProfileCommandInput,
  CreateInstanceProfileCommandInput,
  DeleteInstanceProfileCommandInput,
  GetInstanceProfileCommandInput,
  ListInstanceProfilesCommandInput,
  ListInstanceProfilesForRoleCommandInput,
  ListInstanceProfileTagsCommandInput,
  RemoveRoleFromInstanceProfileCommandInput,
  TagInstanceProfileCommandInput,
} from '@aws-sdk/client-iam';
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
import { type InstanceProfileRecord, iamArn, iamState, roleKey } from './model.ts';
import { requireRole, roleOutput } from './roles.ts';

function requireProfile(cloud: Cloud, name: string): InstanceProfileRecord {
  const p = iamState(cloud).instanceProfiles[roleKey(name)];
  if (p === undefined) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return p;
}

function profileOutput(cloud: Cloud, p: InstanceProfileRecord, withTags = true): Record<string, unknown> {
  const roles = iamState(cloud).roles;
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: p.arn,
    CreateDate: new Date(p.createDate),
    Roles: p.roleNames.flatMap((n) => {
      const r = roles[roleKey(n)];
      return r === undefined ? [] : [roleOutput(r, false)];
    }),
    ...(withTags && p.tags.length > 0 ? { Tags: p.tags } : {}),
  };
}

function createInstanceProfile(input: CreateInstanceProfileCommandInput, { cloud }: CallContext): unknown {
  const name = str(input.InstanceProfileName);
  checkName('instanceProfileName', name, 128);
  const path = checkPath('path', optStr(input.Path) ?? '/');
  const state = iamState(cloud);
  if (state.instanceProfiles[roleKey(name)] !== undefined)
    throw alreadyExists(`Instance Profile ${name} already exists.`);
  const record: InstanceProfileRecord = {
    name,
    id: iamId('AIPA'),
    arn: iamArn(cloud, 'instance-profile', path, name),
    path,
    createDate: cloud.clock.now(),
    roleNames: [],
    tags: mergeTags([], parseTags(input.Tags)),
  };
  state.instanceProfiles[roleKey(name)] = record;
  cloud.commit();
  return { InstanceProfile: profileOutput(cloud, record) };
}

function getInstanceProfile(input: GetInstanceProfileCommandInput, { cloud }: CallContext): unknown {
  return { InstanceProfile: profileOutput(cloud, requireProfile(cloud, str(input.InstanceProfileName))) };
}

function deleteInstanceProfile(input: DeleteInstanceProfileCommandInput, { cloud }: CallContext): unknown {
  const p = requireProfile(cloud, str(input.InstanceProfileName));
  if (p.roleNames.length > 0)
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  delete iamState(cloud).instanceProfiles[roleKey(p.name)];
  cloud.commit();
  return {};
}

/** An instance profile holds at most one role (IAM quota InstanceSessionsPerInstanceProfile = 1). */
function addRoleToInstanceProfile(
  input: AddRoleToInstanceProfileCommandInput,
  { cloud }: CallContext,
): unknown {
  const p = requireProfile(cloud, str(input.InstanceProfileName));
  const role = requireRole(cloud, str(input.RoleName));
  if (p.roleNames.length >= 1) {
    throw iamErrors.limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
  }
  p.roleNames.push(role.roleName);
  cloud.commit();
  return {};
}

function removeRoleFromInstanceProfile(
  input: RemoveRoleFromInstanceProfileCommandInput,
  { cloud }: CallContext,
): unknown {
  const p = requireProfile(cloud, str(input.InstanceProfileName));
  const name = str(input.RoleName);
  const role = requireRole(cloud, name);
  if (!p.roleNames.includes(role.roleName)) {
    throw noSuchEntity(`Role ${name} in Instance Profile ${p.name} cannot be found.`);
  }
  p.roleNames = p.roleNames.filter((n) => n !== role.roleName);
  cloud.commit();
  return {};
}

function listInstanceProfiles(input: ListInstanceProfilesCommandInput, { cloud }: CallContext): unknown {
  const all = Object.values(iamState(cloud).instanceProfiles).filter((p) => byPathPrefix(p.path, input));
  const page = paginate(all, (p) => p.name, input);
  return {
    InstanceProfiles: page.items.map((p) => profileOutput(cloud, p, false)),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}

function listInstanceProfilesForRole(
  input: ListInstanceProfilesForRoleCommandInput,
  { cloud }: CallContext,
): unknown {
  const role = requireRole(cloud, str(input.RoleName));
  const all = Object.values(iamState(cloud).instanceProfiles).filter((p) =>
    p.roleNames.includes(role.roleName),
  );
  const page = paginate(all, (p) => p.name, input);
  return {
    InstanceProfiles: page.items.map((p) => profileOutput(cloud, p, false)),
    IsTruncated: page.IsTruncated,
    Marker: page.Marker,
  };
}

function tagInstanceProfile(input: TagInstanceProfileCommandInput, { cloud }: CallContext): unknown {
  const p = requireProfile(cloud, str(input.InstanceProfileName));
  p.tags = mergeTags(p.tags, parseTags(input.Tags));
  cloud.commit();
  return {};
}

function listInstanceProfileTags(
  input: ListInstanceProfileTagsCommandInput,
  { cloud }: CallContext,
): unknown {
  const p = requireProfile(cloud, str(input.InstanceProfileName));
  const page = paginate(p.tags, (t) => t.Key, input);
  return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export const instanceProfileOperations = {
  CreateInstanceProfile: op(createInstanceProfile),
  GetInstanceProfile: op(getInstanceProfile),
  DeleteInstanceProfile: op(deleteInstanceProfile),
  AddRoleToInstanceProfile: op(addRoleToInstanceProfile),
  RemoveRoleFromInstanceProfile: op(removeRoleFromInstanceProfile),
  ListInstanceProfiles: op(listInstanceProfiles),
  ListInstanceProfilesForRole: op(listInstanceProfilesForRole),
  TagInstanceProfile: op(tagInstanceProfile),
  ListInstanceProfileTags: op(listInstanceProfileTags),
};
