/**
 * What DescribeAutoScalingGroups, DescribeAutoScalingInstances and DescribeScalingActivities show:
 * groups, their members and their activities, paged by MaxRecords/NextToken.
 */
import type {
  Activity,
  AutoScalingGroup,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeAutoScalingInstancesCommandInput,
  DescribeAutoScalingInstancesCommandOutput,
  DescribeScalingActivitiesCommandInput,
  DescribeScalingActivitiesCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import type { CallContext, Cloud } from '../../contracts.ts';
import { ec2State, findInstance } from '../ec2/model.ts';
import { matchesFilters } from '../shared/filters.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { asgErrors } from './errors.ts';
import { type ActivityRecord, autoScalingState, type GroupRecord } from './model.ts';
import { reconcileAutoScaling } from './reconcile.ts';

function toGroup(cloud: Cloud, g: GroupRecord): AutoScalingGroup {
  const types = new Map(ec2State(cloud).instances.map((i) => [i.instanceId, i.instanceType]));
  return {
    AutoScalingGroupName: g.name,
    AutoScalingGroupARN: g.arn,
    LaunchTemplate: {
      LaunchTemplateId: g.launchTemplate.id,
      LaunchTemplateName: g.launchTemplate.name,
      Version: g.launchTemplate.version,
    },
    MinSize: g.min,
    MaxSize: g.max,
    DesiredCapacity: g.desired,
    DefaultCooldown: g.defaultCooldown,
    AvailabilityZones: g.zones,
    LoadBalancerNames: [],
    TargetGroupARNs: g.targetGroupArns,
    HealthCheckType: g.healthCheckType,
    HealthCheckGracePeriod: g.gracePeriod,
    Instances: g.members.map((m) => ({
      InstanceId: m.instanceId,
      InstanceType: types.get(m.instanceId) ?? 't3.micro',
      AvailabilityZone: m.zone,
      LifecycleState: m.lifecycle,
      HealthStatus: m.health,
      LaunchTemplate: {
        LaunchTemplateId: m.launchTemplate.id,
        LaunchTemplateName: m.launchTemplate.name,
        Version: m.launchTemplate.version,
      },
      ProtectedFromScaleIn: false,
    })),
    CreatedTime: new Date(g.createdAt),
    SuspendedProcesses: [],
    VPCZoneIdentifier: g.subnetIds.join(','),
    EnabledMetrics: [],
    Tags: g.tags.map((t) => ({
      ResourceId: g.name,
      ResourceType: 'auto-scaling-group',
      Key: t.Key,
      Value: t.Value,
      PropagateAtLaunch: t.PropagateAtLaunch,
    })),
    TerminationPolicies: ['Default'],
    NewInstancesProtectedFromScaleIn: false,
    ServiceLinkedRoleARN: `arn:aws:iam::${cloud.config.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
    TrafficSources: g.targetGroupArns.map((arn) => ({ Identifier: arn, Type: 'elbv2' })),
    CapacityRebalance: false,
  };
}

export function maxRecords(value: number | undefined, fallback: number): number {
  const max = value ?? fallback;
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw asgErrors.validation(
      `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to 100`,
    );
  }
  return max;
}

export function describeAutoScalingGroups(
  input: DescribeAutoScalingGroupsCommandInput,
  { cloud }: CallContext,
): Out<DescribeAutoScalingGroupsCommandOutput> {
  reconcileAutoScaling(cloud);
  const names = input.AutoScalingGroupNames ?? [];
  const selected = autoScalingState(cloud).groups.filter((g) => {
    if (names.length > 0 && !names.includes(g.name)) return false;
    return matchesFilters(
      input.Filters,
      (name) => {
        if (name.startsWith('tag:')) return g.tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value);
        if (name === 'tag-key') return g.tags.map((t) => t.Key);
        if (name === 'tag-value') return g.tags.map((t) => t.Value);
        return undefined;
      },
      (name) => asgErrors.validation(`Filter ${name} is not supported`),
    );
  });
  const offset = decodeToken('DescribeAutoScalingGroups', input.NextToken);
  if (offset === undefined) throw asgErrors.invalidNextToken();
  const { items, next } = page(selected, offset, maxRecords(input.MaxRecords, 50));
  return {
    AutoScalingGroups: items.map((g) => toGroup(cloud, g)),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeAutoScalingGroups', next) }),
  };
}

export function describeAutoScalingInstances(
  input: DescribeAutoScalingInstancesCommandInput,
  { cloud }: CallContext,
): Out<DescribeAutoScalingInstancesCommandOutput> {
  reconcileAutoScaling(cloud);
  const ids = input.InstanceIds ?? [];
  const rows = autoScalingState(cloud).groups.flatMap((g) =>
    g.members
      .filter((m) => ids.length === 0 || ids.includes(m.instanceId))
      .map((m) => ({
        InstanceId: m.instanceId,
        InstanceType: findInstance(cloud, m.instanceId)?.instanceType ?? 't3.micro',
        AutoScalingGroupName: g.name,
        AvailabilityZone: m.zone,
        LifecycleState: m.lifecycle,
        // DescribeAutoScalingInstances reports upper-case health (docs/local-cloud.md#auto-scaling).
        HealthStatus: m.health.toUpperCase(),
        LaunchTemplate: {
          LaunchTemplateId: m.launchTemplate.id,
          LaunchTemplateName: m.launchTemplate.name,
          Version: m.launchTemplate.version,
        },
        ProtectedFromScaleIn: false,
      })),
  );
  const offset = decodeToken('DescribeAutoScalingInstances', input.NextToken);
  if (offset === undefined) throw asgErrors.invalidNextToken();
  const { items, next } = page(rows, offset, maxRecords(input.MaxRecords, 50));
  return {
    AutoScalingInstances: items,
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeAutoScalingInstances', next) }),
  };
}

export function toActivity(a: ActivityRecord): Activity {
  return {
    ActivityId: a.activityId,
    AutoScalingGroupName: a.groupName,
    AutoScalingGroupARN: a.groupArn,
    Description: a.description,
    Cause: a.cause,
    StartTime: new Date(a.startTime),
    ...(a.endTime === undefined ? {} : { EndTime: new Date(a.endTime) }),
    StatusCode: a.statusCode,
    Progress: a.progress,
    Details: a.details,
  };
}

export function describeScalingActivities(
  input: DescribeScalingActivitiesCommandInput,
  { cloud }: CallContext,
): Out<DescribeScalingActivitiesCommandOutput> {
  reconcileAutoScaling(cloud);
  const ids = input.ActivityIds ?? [];
  const selected = autoScalingState(cloud).activities.filter(
    (a) =>
      (input.AutoScalingGroupName === undefined || a.groupName === input.AutoScalingGroupName) &&
      (ids.length === 0 || ids.includes(a.activityId)),
  );
  const offset = decodeToken('DescribeScalingActivities', input.NextToken);
  if (offset === undefined) throw asgErrors.invalidNextToken();
  const { items, next } = page(selected, offset, maxRecords(input.MaxRecords, 100));
  return {
    Activities: items.map(toActivity),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeScalingActivities', next) }),
  };
}
