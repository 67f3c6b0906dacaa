/**
 * Security group rules as resources of their own (EC2 has modelled them so since 2021): each ingress
 * rule has an id (`sgr-…`) and tags, set at creation with AuthorizeSecurityGroupIngress's
 * `TagSpecifications` (resource type `security-group-rule`), and DescribeSecurityGroupRules lists them,
 * filtered by group, rule id or tag. That is how a client finds the rules it added without remembering
 * them (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html).
 */
import type {
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  DescribeSecurityGroupRulesCommandInput,
  DescribeSecurityGroupRulesCommandOutput,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { CallContext } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import { type TagRecord, tagFilterValues } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import { ec2State, type IpPermissionRecord } from './model.ts';

type Out<T> = Omit<T, '$metadata'>;

/** A rule record with its tags (kept on the record, so they go with it when it is revoked). */
type TaggedRule = IpPermissionRecord & { tags?: TagRecord[] };

const tagsOf = (specs: AuthorizeSecurityGroupIngressCommandInput['TagSpecifications']): TagRecord[] =>
  (specs ?? [])
    .filter((s) => s.ResourceType === 'security-group-rule')
    .flatMap((s) => s.Tags ?? [])
    .map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));

/** Wraps AuthorizeSecurityGroupIngress: the rules it adds get the request's `security-group-rule` tags. */
export function withRuleTags(
  authorize: (
    input: AuthorizeSecurityGroupIngressCommandInput,
    ctx: CallContext,
  ) => Out<AuthorizeSecurityGroupIngressCommandOutput>,
) {
  return (
    input: AuthorizeSecurityGroupIngressCommandInput,
    ctx: CallContext,
  ): Out<AuthorizeSecurityGroupIngressCommandOutput> => {
    const out = authorize(input, ctx);
    const tags = tagsOf(input.TagSpecifications);
    if (tags.length === 0) return out;
    const ids = new Set((out.SecurityGroupRules ?? []).map((r) => r.SecurityGroupRuleId));
    for (const group of ec2State(ctx.cloud).securityGroups) {
      for (const rule of group.ingress as TaggedRule[]) if (ids.has(rule.ruleId)) rule.tags = tags;
    }
    ctx.cloud.commit();
    return {
      ...out,
      SecurityGroupRules: (out.SecurityGroupRules ?? []).map((r) => ({ ...r, Tags: tags })),
    };
  };
}

export function describeSecurityGroupRules(
  input: DescribeSecurityGroupRulesCommandInput,
  { cloud }: CallContext,
): Out<DescribeSecurityGroupRulesCommandOutput> {
  const wanted = input.SecurityGroupRuleIds ?? [];
  const rules: SecurityGroupRule[] = [];
  for (const group of ec2State(cloud).securityGroups) {
    for (const rule of group.ingress as TaggedRule[]) {
      if (wanted.length > 0 && !wanted.includes(rule.ruleId)) continue;
      const tags = rule.tags ?? [];
      const ok = matchesFilters(
        input.Filters,
        (name) =>
          name === 'group-id'
            ? [group.groupId]
            : name === 'security-group-rule-id'
              ? [rule.ruleId]
              : tagFilterValues(name, tags),
        ec2Errors.invalidFilter,
      );
      if (!ok) continue;
      rules.push({
        SecurityGroupRuleId: rule.ruleId,
        GroupId: group.groupId,
        GroupOwnerId: cloud.config.accountId,
        IsEgress: false,
        IpProtocol: rule.IpProtocol,
        FromPort: rule.FromPort,
        ToPort: rule.ToPort,
        CidrIpv4: rule.CidrIp,
        ...(rule.Description === undefined ? {} : { Description: rule.Description }),
        Tags: tags,
      });
    }
  }
  return { SecurityGroupRules: rules };
}
