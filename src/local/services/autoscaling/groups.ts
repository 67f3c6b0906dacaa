/**
 * Auto Scaling operations. Mutations change the model and then run one reconcile pass, so a launch or a
 * termination starts within the call (AWS starts the activity within seconds); the ticker does the rest.
 * Reads reconcile first too, so the answer never lags the timestamps it is derived from.
 */
import type {
  CreateAutoScalingGroupCommandInput,
  CreateAutoScalingGroupCommandOutput,
  DeleteAutoScalingGroupCommandInput,
  DeleteAutoScalingGroupCommandOutput,
  SetDesiredCapacityCommandInput,
  SetDesiredCapacityCommandOutput,
  TerminateInstanceInAutoScalingGroupCommandInput,
  TerminateInstanceInAutoScalingGroupCommandOutput,
  UpdateAutoScalingGroupCommandInput,
  UpdateAutoScalingGroupCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import type { CallContext, Cloud } from '../../contracts.ts';
import { terminateInstance } from '../ec2/instance-lifecycle.ts';
import { ec2State, findLaunchTemplate, resolveVersion } from '../ec2/model.ts';
import { findTargetGroup } from '../elbv2/model.ts';
import { isoSeconds } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { toActivity } from './describe-groups.ts';
import { asgErrors } from './errors.ts';
import {
  activitiesInProgress,
  autoScalingState,
  findGroup,
  type GroupRecord,
  groupOrThrow,
  recordActivity,
} from './model.ts';
import { beginTermination, reconcileAutoScaling } from './reconcile.ts';

function resolveTemplate(
  cloud: Cloud,
  spec: {
    LaunchTemplateId?: string | undefined;
    LaunchTemplateName?: string | undefined;
    Version?: string | undefined;
  },
): GroupRecord['launchTemplate'] {
  const template = findLaunchTemplate(cloud, { id: spec.LaunchTemplateId, name: spec.LaunchTemplateName });
  if (template === undefined) {
    if (spec.LaunchTemplateId !== undefined) throw asgErrors.launchTemplateIdNotFound(spec.LaunchTemplateId);
    throw asgErrors.launchTemplateNameNotFound(spec.LaunchTemplateName ?? '');
  }
  const version = spec.Version ?? '$Default';
  if (resolveVersion(template, version) === undefined) throw asgErrors.launchTemplateVersionNotFound(version);
  // `$Default`/`$Latest` stay symbolic: later launches follow the template's current default/latest.
  return { id: template.id, name: template.name, version };
}

function checkSizes(min: number, max: number, desired: number): void {
  if (min > max) throw asgErrors.minMax(min, max);
  if (desired < min || desired > max) throw asgErrors.desiredOutOfRange(desired, min, max);
}

export function checkTargetGroups(cloud: Cloud, arns: readonly string[]): void {
  for (const arn of arns)
    if (findTargetGroup(cloud, arn) === undefined) throw asgErrors.targetGroupNotFound(arn);
}

export function createAutoScalingGroup(
  input: CreateAutoScalingGroupCommandInput,
  { cloud }: CallContext,
): Out<CreateAutoScalingGroupCommandOutput> {
  const name = input.AutoScalingGroupName;
  if (name === undefined || name.length === 0 || name.length > 255 || name.includes(':')) {
    throw asgErrors.validation(`Invalid AutoScalingGroupName: ${name ?? ''}`);
  }
  if (input.MinSize === undefined || input.MaxSize === undefined) {
    throw asgErrors.validation('MinSize and MaxSize are required');
  }
  if (findGroup(cloud, name) !== undefined) throw asgErrors.alreadyExists(name);
  if (input.LaunchTemplate === undefined) {
    throw asgErrors.validation(
      'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
    );
  }
  const launchTemplate = resolveTemplate(cloud, input.LaunchTemplate);
  const desired = input.DesiredCapacity ?? input.MinSize;
  checkSizes(input.MinSize, input.MaxSize, desired);
  const ec2 = ec2State(cloud);
  const subnetIds = (input.VPCZoneIdentifier ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const id of subnetIds)
    if (!ec2.subnets.some((s) => s.subnetId === id)) throw asgErrors.invalidSubnet(id);
  for (const zone of input.AvailabilityZones ?? []) {
    if (!cloud.config.zones.includes(zone)) throw asgErrors.invalidZone(zone);
  }
  // Without VPCZoneIdentifier the group launches into the default subnet of each listed zone.
  const zones =
    subnetIds.length > 0
      ? [...new Set(subnetIds.map((id) => ec2.subnets.find((s) => s.subnetId === id)?.zone ?? ''))]
      : [...(input.AvailabilityZones ?? [])];
  if (zones.length === 0) throw asgErrors.noZones();
  const targetGroupArns = [...(input.TargetGroupARNs ?? [])];
  checkTargetGroups(cloud, targetGroupArns);
  const group: GroupRecord = {
    name,
    arn: `arn:aws:autoscaling:${cloud.config.region}:${cloud.config.accountId}:autoScalingGroup:${crypto.randomUUID()}:autoScalingGroupName/${name}`,
    launchTemplate,
    min: input.MinSize,
    max: input.MaxSize,
    desired,
    zones,
    subnetIds:
      subnetIds.length > 0
        ? subnetIds
        : zones.map((z) => ec2.subnets.find((s) => s.zone === z)?.subnetId ?? ''),
    targetGroupArns,
    healthCheckType: input.HealthCheckType ?? 'EC2',
    // 0 through the API; the console's 300 s default does not apply (docs/local-cloud.md#auto-scaling).
    gracePeriod: input.HealthCheckGracePeriod ?? 0,
    defaultCooldown: input.DefaultCooldown ?? 300,
    tags: (input.Tags ?? []).map((t) => ({
      Key: t.Key ?? '',
      Value: t.Value ?? '',
      PropagateAtLaunch: t.PropagateAtLaunch ?? false,
    })),
    createdAt: cloud.clock.now(),
    members: [],
  };
  autoScalingState(cloud).groups.push(group);
  cloud.commit();
  reconcileAutoScaling(cloud);
  return {};
}

export function updateAutoScalingGroup(
  input: UpdateAutoScalingGroupCommandInput,
  { cloud }: CallContext,
): Out<UpdateAutoScalingGroupCommandOutput> {
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  const min = input.MinSize ?? group.min;
  const max = input.MaxSize ?? group.max;
  // AWS clamps the current desired capacity into a new [min, max] when DesiredCapacity is not given.
  const desired = input.DesiredCapacity ?? Math.min(Math.max(group.desired, min), max);
  checkSizes(min, max, desired);
  const launchTemplate = input.LaunchTemplate
    ? resolveTemplate(cloud, input.LaunchTemplate)
    : group.launchTemplate;
  const ec2 = ec2State(cloud);
  if (input.VPCZoneIdentifier !== undefined) {
    const subnetIds = input.VPCZoneIdentifier.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const id of subnetIds)
      if (!ec2.subnets.some((s) => s.subnetId === id)) throw asgErrors.invalidSubnet(id);
    group.subnetIds = subnetIds;
    group.zones = [...new Set(subnetIds.map((id) => ec2.subnets.find((s) => s.subnetId === id)?.zone ?? ''))];
  } else if (input.AvailabilityZones !== undefined) {
    for (const zone of input.AvailabilityZones)
      if (!cloud.config.zones.includes(zone)) throw asgErrors.invalidZone(zone);
    group.zones = [...input.AvailabilityZones];
    group.subnetIds = group.zones.map((z) => ec2.subnets.find((s) => s.zone === z)?.subnetId ?? '');
  }
  if (group.desired !== desired) {
    recordActivity(
      cloud,
      group,
      `Updating group desired capacity`,
      `At ${isoSeconds(cloud.clock.now())} a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${group.desired} to ${desired}.`,
      'Successful',
    );
  }
  group.min = min;
  group.max = max;
  group.desired = desired;
  group.launchTemplate = launchTemplate;
  if (input.HealthCheckType !== undefined) group.healthCheckType = input.HealthCheckType;
  if (input.HealthCheckGracePeriod !== undefined) group.gracePeriod = input.HealthCheckGracePeriod;
  if (input.DefaultCooldown !== undefined) group.defaultCooldown = input.DefaultCooldown;
  cloud.commit();
  reconcileAutoScaling(cloud);
  return {};
}

export function setDesiredCapacity(
  input: SetDesiredCapacityCommandInput,
  { cloud }: CallContext,
): Out<SetDesiredCapacityCommandOutput> {
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  const desired = input.DesiredCapacity;
  if (desired === undefined) throw asgErrors.validation('DesiredCapacity is required');
  if (desired > group.max) throw asgErrors.desiredAboveMax(desired, group.max);
  if (desired < group.min) throw asgErrors.desiredBelowMin(desired, group.min);
  group.desired = desired;
  cloud.commit();
  reconcileAutoScaling(cloud);
  return {};
}

export function terminateInstanceInAutoScalingGroup(
  input: TerminateInstanceInAutoScalingGroupCommandInput,
  { cloud }: CallContext,
): Out<TerminateInstanceInAutoScalingGroupCommandOutput> {
  const id = input.InstanceId;
  if (id === undefined) throw asgErrors.validation('InstanceId is required');
  if (input.ShouldDecrementDesiredCapacity === undefined) {
    throw asgErrors.validation('ShouldDecrementDesiredCapacity is required');
  }
  reconcileAutoScaling(cloud);
  const group = autoScalingState(cloud).groups.find((g) => g.members.some((m) => m.instanceId === id));
  const member = group?.members.find((m) => m.instanceId === id);
  if (group === undefined || member === undefined) throw asgErrors.instanceNotFound(id);
  // A member already on its way out answers with its running termination activity.
  if (member.lifecycle === 'Terminating' || member.lifecycle === 'Terminated') {
    const running = autoScalingState(cloud).activities.find((a) => a.activityId === member.activityId);
    if (running) return { Activity: toActivity(running) };
  }
  const ts = isoSeconds(cloud.clock.now());
  let cause = `At ${ts} instance ${id} was taken out of service in response to a user request.`;
  if (input.ShouldDecrementDesiredCapacity) {
    if (group.desired <= group.min) throw asgErrors.wouldViolateMin(group.min);
    cause = `${cause.slice(0, -1)}, shrinking the capacity from ${group.desired} to ${group.desired - 1}.`;
    group.desired -= 1;
  }
  const activity = beginTermination(cloud, group, member, cause);
  cloud.commit();
  // Without decrement the next pass launches the replacement while this one drains (docs/local-cloud.md#auto-scaling-termination).
  reconcileAutoScaling(cloud);
  return { Activity: toActivity(activity) };
}

export function deleteAutoScalingGroup(
  input: DeleteAutoScalingGroupCommandInput,
  { cloud }: CallContext,
): Out<DeleteAutoScalingGroupCommandOutput> {
  reconcileAutoScaling(cloud);
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  const state = autoScalingState(cloud);
  if (input.ForceDelete === true) {
    // Terminates the instances without waiting for draining (docs/local-cloud.md#auto-scaling-termination).
    for (const member of group.members) {
      for (const arn of group.targetGroupArns) {
        const tg = findTargetGroup(cloud, arn);
        if (tg) tg.targets = tg.targets.filter((t) => t.id !== member.instanceId);
      }
      terminateInstance(cloud, member.instanceId);
    }
  } else {
    if (activitiesInProgress(cloud, group.name).length > 0) throw asgErrors.scalingActivityInProgress();
    if (group.members.length > 0) throw asgErrors.resourceInUse();
  }
  for (const activity of activitiesInProgress(cloud, group.name)) {
    activity.statusCode = 'Cancelled';
    activity.endTime = cloud.clock.now();
  }
  state.groups = state.groups.filter((g) => g !== group);
  cloud.commit();
  return {};
}
