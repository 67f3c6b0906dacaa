/**
 * Security groups of the default VPC: describe, and ingress rules authorized and revoked by value, as EC2
 * matches them (protocol, ports, CIDR or group).
 */
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  IpPermission,
  RevokeSecurityGroupIngressCommandInput,
  RevokeSecurityGroupIngressCommandOutput,
  SecurityGroup,
} from '@aws-sdk/client-ec2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import { newId } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { tagFilterValues } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import { ec2State, type IpPermissionRecord, type SecurityGroupRecord } from './model.ts';

function findGroup(cloud: Cloud, ref: { GroupId?: string | undefined; GroupName?: string | undefined }) {
  const groups = ec2State(cloud).securityGroups;
  if (ref.GroupId !== undefined) {
    const found = groups.find((g) => g.groupId === ref.GroupId);
    if (!found) throw ec2Errors.groupNotFound(ref.GroupId);
    return found;
  }
  if (ref.GroupName !== undefined) {
    const found = groups.find((g) => g.groupName === ref.GroupName);
    if (!found) throw ec2Errors.groupNotFound(ref.GroupName);
    return found;
  }
  throw ec2Errors.missingParameter('groupId');
}

/** Folds stored one-CIDR rules into the API's IpPermissions (one entry per protocol/port range). */
function ipPermissions(group: SecurityGroupRecord): IpPermission[] {
  const out: IpPermission[] = [];
  for (const rule of group.ingress) {
    let perm = out.find(
      (p) => p.IpProtocol === rule.IpProtocol && p.FromPort === rule.FromPort && p.ToPort === rule.ToPort,
    );
    if (!perm) {
      perm = {
        IpProtocol: rule.IpProtocol,
        ...(rule.IpProtocol === '-1' ? {} : { FromPort: rule.FromPort, ToPort: rule.ToPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      out.push(perm);
    }
    perm.IpRanges?.push(
      rule.Description === undefined
        ? { CidrIp: rule.CidrIp }
        : { CidrIp: rule.CidrIp, Description: rule.Description },
    );
  }
  return out;
}

function toSecurityGroup(cloud: Cloud, group: SecurityGroupRecord): SecurityGroup {
  return {
    GroupId: group.groupId,
    GroupName: group.groupName,
    Description: group.description,
    VpcId: group.vpcId,
    OwnerId: cloud.config.accountId,
    SecurityGroupArn: `arn:aws:ec2:${cloud.config.region}:${cloud.config.accountId}:security-group/${group.groupId}`,
    IpPermissions: ipPermissions(group),
    IpPermissionsEgress: [
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ],
    Tags: group.tags,
  };
}

export function describeSecurityGroups(
  input: DescribeSecurityGroupsCommandInput,
  { cloud }: CallContext,
): Out<DescribeSecurityGroupsCommandOutput> {
  const groups = ec2State(cloud).securityGroups;
  for (const id of input.GroupIds ?? []) findGroup(cloud, { GroupId: id });
  for (const name of input.GroupNames ?? []) findGroup(cloud, { GroupName: name });
  const selected = groups.filter((g) => {
    if (input.GroupIds?.length && !input.GroupIds.includes(g.groupId)) return false;
    if (input.GroupNames?.length && !input.GroupNames.includes(g.groupName)) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        tagFilterValues(name, g.tags) ??
        {
          'group-name': [g.groupName],
          'group-id': [g.groupId],
          'vpc-id': [g.vpcId],
          description: [g.description],
          'owner-id': [cloud.config.accountId],
        }[name],
      ec2Errors.invalidFilter,
    );
  });
  return { SecurityGroups: selected.map((g) => toSecurityGroup(cloud, g)) };
}

interface RuleInput {
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIp: string;
  Description: string | undefined;
}

/** Flattens IpPermissions (or the legacy top-level CidrIp/IpProtocol/FromPort/ToPort) into one rule per CIDR. */
function rulesOf(
  input: AuthorizeSecurityGroupIngressCommandInput | RevokeSecurityGroupIngressCommandInput,
): RuleInput[] {
  const normalizeProtocol = (p: string | undefined) =>
    p === undefined
      ? '-1'
      : ({ '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' }[p.toLowerCase()] ?? p.toLowerCase());
  const rules: RuleInput[] = [];
  for (const perm of input.IpPermissions ?? []) {
    const proto = normalizeProtocol(perm.IpProtocol);
    for (const range of perm.IpRanges ?? []) {
      rules.push({
        IpProtocol: proto,
        FromPort: proto === '-1' ? -1 : (perm.FromPort ?? -1),
        ToPort: proto === '-1' ? -1 : (perm.ToPort ?? -1),
        CidrIp: range.CidrIp ?? '',
        Description: range.Description,
      });
    }
  }
  if (input.CidrIp !== undefined) {
    const proto = normalizeProtocol(input.IpProtocol);
    rules.push({
      IpProtocol: proto,
      FromPort: input.FromPort ?? -1,
      ToPort: input.ToPort ?? -1,
      CidrIp: input.CidrIp,
      Description: undefined,
    });
  }
  for (const rule of rules) {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(rule.CidrIp)) {
      throw ec2Errors.invalidParameterValue(`CIDR block ${rule.CidrIp} is malformed`);
    }
  }
  if (rules.length === 0) throw ec2Errors.missingParameter('ipPermissions');
  return rules;
}

const sameRule = (a: IpPermissionRecord, b: RuleInput) =>
  a.IpProtocol === b.IpProtocol &&
  a.FromPort === b.FromPort &&
  a.ToPort === b.ToPort &&
  a.CidrIp === b.CidrIp;

export function authorizeSecurityGroupIngress(
  input: AuthorizeSecurityGroupIngressCommandInput,
  { cloud }: CallContext,
): Out<AuthorizeSecurityGroupIngressCommandOutput> {
  const group = findGroup(cloud, input);
  const rules = rulesOf(input);
  for (const rule of rules) {
    if (group.ingress.some((r) => sameRule(r, rule))) {
      throw ec2Errors.permissionDuplicate(rule.IpProtocol, rule.FromPort, rule.ToPort, rule.CidrIp);
    }
  }
  const added = rules.map((rule) => {
    const record: IpPermissionRecord = {
      IpProtocol: rule.IpProtocol,
      FromPort: rule.FromPort,
      ToPort: rule.ToPort,
      CidrIp: rule.CidrIp,
      ruleId: newId('sgr'),
      ...(rule.Description === undefined ? {} : { Description: rule.Description }),
    };
    group.ingress.push(record);
    return record;
  });
  cloud.commit();
  return {
    Return: true,
    SecurityGroupRules: added.map((r) => ({
      SecurityGroupRuleId: r.ruleId,
      GroupId: group.groupId,
      GroupOwnerId: cloud.config.accountId,
      IsEgress: false,
      IpProtocol: r.IpProtocol,
      FromPort: r.FromPort,
      ToPort: r.ToPort,
      CidrIpv4: r.CidrIp,
      ...(r.Description === undefined ? {} : { Description: r.Description }),
    })),
  };
}

export function revokeSecurityGroupIngress(
  input: RevokeSecurityGroupIngressCommandInput,
  { cloud }: CallContext,
): Out<RevokeSecurityGroupIngressCommandOutput> {
  const group = findGroup(cloud, input);
  const ruleIds = input.SecurityGroupRuleIds ?? [];
  if (ruleIds.length > 0) {
    for (const id of ruleIds) {
      if (!group.ingress.some((r) => r.ruleId === id)) throw ec2Errors.permissionNotFound();
    }
    group.ingress = group.ingress.filter((r) => !ruleIds.includes(r.ruleId));
  } else {
    const rules = rulesOf(input);
    // Revoking a rule that does not exist fails as a whole, like EC2 (InvalidPermission.NotFound).
    for (const rule of rules) {
      if (!group.ingress.some((r) => sameRule(r, rule))) throw ec2Errors.permissionNotFound();
    }
    group.ingress = group.ingress.filter((r) => !rules.some((rule) => sameRule(r, rule)));
  }
  cloud.commit();
  return { Return: true };
}
