/**
 * Auto Scaling's reconcile loop (Auto Scaling User Guide, "Health checks", "Replace unhealthy instances"):
 * keeps each group at its desired capacity across its zones, launches and terminates members, replaces
 * unhealthy ones after the grace period, and registers members with the attached target groups.
 */
import type { Cloud } from '../../contracts.ts';
import { findInstanceProfile } from '../ec2/iam-link.ts';
import { instanceStatus, launchInstance, terminateInstance } from '../ec2/instance-lifecycle.ts';
import { ec2State, findInstance, instanceState } from '../ec2/model.ts';
import {
  deregisterTargets,
  deregistrationDelayMs,
  elbv2State,
  findTargetGroup,
  pruneDrained,
  registerTargets,
  targetHealth,
} from '../elbv2/model.ts';
import { isoSeconds } from '../shared/ids.ts';
import type { TagRecord } from '../shared/tags.ts';
import {
  type ActivityRecord,
  autoScalingState,
  finishActivity,
  type GroupRecord,
  liveMembers,
  type MemberRecord,
  recordActivity,
} from './model.ts';

/** A profile reference resolved through IAM; unknown names still get their ARN so the launch proceeds. */
function profileResolver(cloud: Cloud) {
  return (ref: { Name?: string; Arn?: string }) => {
    const found = findInstanceProfile(cloud, ref);
    if (found !== undefined) return found;
    const name = ref.Name ?? ref.Arn?.slice(ref.Arn.lastIndexOf('/') + 1) ?? '';
    return {
      arn: ref.Arn ?? `arn:aws:iam::${cloud.config.accountId}:instance-profile/${name}`,
      id: name,
      name,
      roleName: undefined,
    };
  };
}

/** The zone with the fewest live instances, ties broken in the group's zone order (docs/local-cloud.md#auto-scaling). */
function zoneForLaunch(group: GroupRecord): string | undefined {
  const live = liveMembers(group);
  let best: string | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const zone of group.zones) {
    const count = live.filter((m) => m.zone === zone).length;
    if (count < bestCount) {
      best = zone;
      bestCount = count;
    }
  }
  return best;
}

function launchOne(cloud: Cloud, group: GroupRecord, cause: string): void {
  const zone = zoneForLaunch(group);
  if (zone === undefined) return;
  const subnetId = group.subnetIds.find((id) =>
    ec2State(cloud).subnets.some((s) => s.subnetId === id && s.zone === zone),
  );
  const tags: TagRecord[] = [
    ...group.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value })),
    { Key: 'aws:autoscaling:groupName', Value: group.name },
  ];
  const instance = launchInstance(
    cloud,
    { launchTemplate: group.launchTemplate, zone, ...(subnetId === undefined ? {} : { subnetId }), tags },
    profileResolver(cloud),
  );
  const activity = recordActivity(
    cloud,
    group,
    `Launching a new EC2 instance: ${instance.instanceId}`,
    cause,
  );
  group.members.push({
    instanceId: instance.instanceId,
    zone: instance.zone,
    lifecycle: 'Pending',
    health: 'Healthy',
    launchTemplate: { ...group.launchTemplate },
    launchedAt: instance.launchedAt,
    inServiceAt: undefined,
    drainUntil: undefined,
    activityId: activity.activityId,
  });
}

/**
 * Takes a member out of service: deregisters it from the group's target groups (draining) and schedules
 * its EC2 termination for when draining ends (docs/local-cloud.md#auto-scaling-termination). Returns the activity.
 */
export function beginTermination(
  cloud: Cloud,
  group: GroupRecord,
  member: MemberRecord,
  cause: string,
): ActivityRecord {
  const now = cloud.clock.now();
  let drainUntil = now;
  for (const arn of group.targetGroupArns) {
    const tg = findTargetGroup(cloud, arn);
    if (tg === undefined) continue;
    if (!tg.targets.some((t) => t.id === member.instanceId)) continue;
    drainUntil = Math.max(drainUntil, deregisterTargets(cloud, tg, [{ id: member.instanceId }]));
  }
  finishActivity(cloud, member.activityId);
  const activity = recordActivity(cloud, group, `Terminating EC2 instance: ${member.instanceId}`, cause);
  if (drainUntil > now) activity.statusCode = 'WaitingForELBConnectionDraining';
  member.lifecycle = 'Terminating';
  member.drainUntil = drainUntil;
  member.activityId = activity.activityId;
  return activity;
}

/** Why an InService member is unhealthy now, or undefined (docs/local-cloud.md#auto-scaling-health-checks). */
function unhealthyCause(
  cloud: Cloud,
  group: GroupRecord,
  member: MemberRecord,
  now: number,
): string | undefined {
  const instance = findInstance(cloud, member.instanceId);
  const ts = isoSeconds(now);
  if (instance === undefined || instanceState(instance, now) !== 'running') {
    // EC2 health: a non-running instance is replaced at once, even inside the grace period.
    return `At ${ts} an instance was taken out of service in response to an EC2 instance status check failure.`;
  }
  if (instanceStatus(cloud, instance) === 'impaired') {
    return `At ${ts} an instance was taken out of service in response to an EC2 instance status check failure.`;
  }
  const elb = group.healthCheckType.split(',').includes('ELB');
  const graceOver =
    member.inServiceAt !== undefined &&
    now >= member.inServiceAt + cloud.clock.scaled(group.gracePeriod * 1000);
  if (elb && graceOver) {
    for (const arn of group.targetGroupArns) {
      const tg = findTargetGroup(cloud, arn);
      const target = tg?.targets.find((t) => t.id === member.instanceId && t.drainingUntil === undefined);
      if (tg && target && targetHealth(cloud, tg, target).state === 'unhealthy') {
        return `At ${ts} an instance was taken out of service in response to an ELB system health check failure.`;
      }
    }
  }
  return undefined;
}

/** One reconcile pass over one group; returns whether anything changed. */
function reconcileGroup(cloud: Cloud, group: GroupRecord): boolean {
  const now = cloud.clock.now();
  let changed = false;
  for (const member of [...group.members]) {
    const instance = findInstance(cloud, member.instanceId);
    const ec2 = instance === undefined ? 'terminated' : instanceState(instance, now);
    if (member.lifecycle === 'Pending') {
      if (ec2 === 'running') {
        // Registered with the target groups before being marked InService (docs/local-cloud.md#auto-scaling).
        for (const arn of group.targetGroupArns) {
          const tg = findTargetGroup(cloud, arn);
          if (tg) registerTargets(cloud, tg, [{ id: member.instanceId }]);
        }
        member.lifecycle = 'InService';
        member.inServiceAt = now;
        finishActivity(cloud, member.activityId);
        changed = true;
      } else if (ec2 !== 'pending') {
        member.health = 'Unhealthy';
        beginTermination(
          cloud,
          group,
          member,
          `At ${isoSeconds(now)} an instance was taken out of service in response to an EC2 instance status check failure.`,
        );
        changed = true;
      }
    } else if (member.lifecycle === 'InService') {
      const cause = unhealthyCause(cloud, group, member, now);
      if (cause !== undefined) {
        member.health = 'Unhealthy';
        beginTermination(cloud, group, member, cause);
        changed = true;
      }
    }
    if (member.lifecycle === 'Terminating') {
      if (
        member.drainUntil !== undefined &&
        now >= member.drainUntil &&
        instance?.terminatedAt === undefined &&
        instance
      ) {
        terminateInstance(cloud, member.instanceId);
        const activity = autoScalingState(cloud).activities.find((a) => a.activityId === member.activityId);
        if (activity?.statusCode === 'WaitingForELBConnectionDraining') activity.statusCode = 'InProgress';
        changed = true;
      }
      const after = instance === undefined ? 'terminated' : instanceState(instance, now);
      if (after === 'terminated') {
        member.lifecycle = 'Terminated';
        finishActivity(cloud, member.activityId);
        group.members = group.members.filter((m) => m !== member);
        changed = true;
      }
    }
  }
  // Keep desired capacity: launch into the emptiest zone, or terminate from the fullest zone.
  let live = liveMembers(group);
  while (live.length < group.desired) {
    const from = live.length;
    launchOne(
      cloud,
      group,
      `At ${isoSeconds(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${from + 1}.`,
    );
    live = liveMembers(group);
    changed = true;
  }
  while (live.length > group.desired) {
    const victim = pickForScaleIn(live);
    if (victim === undefined) break;
    beginTermination(
      cloud,
      group,
      victim,
      `At ${isoSeconds(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${live.length} to ${live.length - 1}.`,
    );
    live = liveMembers(group);
    changed = true;
  }
  return changed;
}

/** Default termination policy, simplified: the zone with the most instances, then the oldest instance. */
function pickForScaleIn(live: MemberRecord[]): MemberRecord | undefined {
  const counts = new Map<string, number>();
  for (const m of live) counts.set(m.zone, (counts.get(m.zone) ?? 0) + 1);
  const sorted = [...live].sort(
    (a, b) => (counts.get(b.zone) ?? 0) - (counts.get(a.zone) ?? 0) || a.launchedAt - b.launchedAt,
  );
  return sorted[0];
}

/**
 * The Auto Scaling loop, one pass over every group. Cheap and idempotent: run it on a ticker, and after
 * any Auto Scaling or EC2 mutation. Commits when something changed; returns whether it did.
 */
export function reconcileAutoScaling(cloud: Cloud): boolean {
  const state = autoScalingState(cloud);
  let changed = false;
  for (const group of state.groups) changed = reconcileGroup(cloud, group) || changed;
  // Targets whose deregistration delay ended leave their target groups.
  changed = pruneDrained(cloud) || changed;
  // Target groups that vanished are dropped from the attachment lists lazily.
  const known = new Set(elbv2State(cloud).targetGroups.map((tg) => tg.arn));
  for (const group of state.groups) {
    const kept = group.targetGroupArns.filter((arn) => known.has(arn));
    if (kept.length !== group.targetGroupArns.length) {
      group.targetGroupArns = kept;
      changed = true;
    }
  }
  if (changed) cloud.commit();
  return changed;
}

/** Draining time of a group's target groups (the longest), for callers that need it. */
export function groupDrainMs(cloud: Cloud, group: GroupRecord): number {
  return Math.max(
    0,
    ...group.targetGroupArns.map((arn) => {
      const tg = findTargetGroup(cloud, arn);
      return tg === undefined ? 0 : deregistrationDelayMs(tg);
    }),
  );
}

/**
 * Runs `reconcileAutoScaling` every `periodMs` (scaled). The timer is unref'd so it never keeps a
 * process alive; the returned function stops it.
 */
export function startAutoScalingTicker(
  cloud: Cloud,
  onError: (error: unknown) => void = () => {},
): () => void {
  const period = Math.max(10, cloud.clock.scaled(autoScalingState(cloud).settings.periodMs));
  const timer = setInterval(() => {
    try {
      reconcileAutoScaling(cloud);
    } catch (error: unknown) {
      onError(error);
    }
  }, period);
  timer.unref();
  return () => clearInterval(timer);
}
