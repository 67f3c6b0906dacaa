/**
 * The Auto Scaling slice: groups, their member instances and scaling activities, plus the reconcile
 * step that keeps each group at its desired capacity (docs/local-cloud.md#auto-scaling). Plain JSON; the loop derives
 * everything from the EC2 and ELBv2 models and timestamps, so it can run on a ticker or lazily.
 */
import type { Cloud } from '../../contracts.ts';
import { asgErrors } from './errors.ts';

export interface AutoScalingSettings {
  /** Period of the reconcile ticker (configured, unscaled ms). */
  periodMs: number;
}

export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated';

export interface MemberRecord {
  instanceId: string;
  zone: string;
  lifecycle: LifecycleState;
  health: 'Healthy' | 'Unhealthy';
  launchTemplate: { id: string; name: string; version: string };
  launchedAt: number;
  /** When the instance went InService (grace period start for ELB health). */
  inServiceAt: number | undefined;
  /** Terminating: draining from target groups until then, EC2 termination after. */
  drainUntil: number | undefined;
  activityId: string | undefined;
}

export interface GroupTag {
  Key: string;
  Value: string;
  PropagateAtLaunch: boolean;
}

export interface GroupRecord {
  name: string;
  arn: string;
  launchTemplate: { id: string; name: string; version: string };
  min: number;
  max: number;
  desired: number;
  zones: string[];
  subnetIds: string[];
  targetGroupArns: string[];
  healthCheckType: string;
  gracePeriod: number;
  defaultCooldown: number;
  tags: GroupTag[];
  createdAt: number;
  members: MemberRecord[];
}

export interface ActivityRecord {
  activityId: string;
  groupName: string;
  groupArn: string;
  description: string;
  cause: string;
  startTime: number;
  endTime: number | undefined;
  statusCode: 'InProgress' | 'Successful' | 'Failed' | 'Cancelled' | 'WaitingForELBConnectionDraining';
  progress: number;
  details: string;
}

export interface AutoScalingState {
  settings: AutoScalingSettings;
  groups: GroupRecord[];
  /** Newest first, as DescribeScalingActivities lists them. */
  activities: ActivityRecord[];
}

export const DEFAULT_AUTOSCALING_SETTINGS: AutoScalingSettings = { periodMs: 10_000 };

export function autoScalingState(cloud: Cloud): AutoScalingState {
  const existing = cloud.state['autoscaling'];
  if (existing !== undefined) return existing as AutoScalingState;
  const fresh: AutoScalingState = {
    settings: { ...DEFAULT_AUTOSCALING_SETTINGS },
    groups: [],
    activities: [],
  };
  cloud.state['autoscaling'] = fresh;
  return fresh;
}

export function findGroup(cloud: Cloud, name: string): GroupRecord | undefined {
  return autoScalingState(cloud).groups.find((g) => g.name === name);
}

/** Members that count against desired capacity (docs/local-cloud.md#auto-scaling). */
/** The group named in a request, or the error AWS answers for a missing name or group. */
export function groupOrThrow(cloud: Cloud, name: string | undefined): GroupRecord {
  if (name === undefined) throw asgErrors.validation('AutoScalingGroupName is required');
  const group = findGroup(cloud, name);
  if (group === undefined) throw asgErrors.groupNotFound(name);
  return group;
}

export const liveMembers = (group: GroupRecord): MemberRecord[] =>
  group.members.filter((m) => m.lifecycle === 'Pending' || m.lifecycle === 'InService');

export function recordActivity(
  cloud: Cloud,
  group: GroupRecord,
  description: string,
  cause: string,
  statusCode: ActivityRecord['statusCode'] = 'InProgress',
): ActivityRecord {
  const now = cloud.clock.now();
  const activity: ActivityRecord = {
    activityId: crypto.randomUUID(),
    groupName: group.name,
    groupArn: group.arn,
    description,
    cause,
    startTime: now,
    endTime: statusCode === 'Successful' ? now : undefined,
    statusCode,
    progress: statusCode === 'Successful' ? 100 : 0,
    details: JSON.stringify({
      'Subnet ID': group.subnetIds[0] ?? '',
      'Availability Zone': group.zones[0] ?? '',
    }),
  };
  autoScalingState(cloud).activities.unshift(activity);
  return activity;
}

export function finishActivity(
  cloud: Cloud,
  activityId: string | undefined,
  status: 'Successful' | 'Failed' = 'Successful',
) {
  const activity = autoScalingState(cloud).activities.find((a) => a.activityId === activityId);
  if (activity === undefined || activity.endTime !== undefined) return;
  activity.statusCode = status;
  activity.progress = 100;
  activity.endTime = cloud.clock.now();
}

export const activitiesInProgress = (cloud: Cloud, groupName: string): ActivityRecord[] =>
  autoScalingState(cloud).activities.filter((a) => a.groupName === groupName && a.endTime === undefined);
