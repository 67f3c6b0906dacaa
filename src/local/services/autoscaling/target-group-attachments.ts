/**
 * Attaching target groups to a group (Auto Scaling API reference): attach, detach, describe. The
 * reconcile loop registers and deregisters the members (`reconcile.ts`).
 */
import type {
  AttachLoadBalancerTargetGroupsCommandInput,
  AttachLoadBalancerTargetGroupsCommandOutput,
  DescribeLoadBalancerTargetGroupsCommandInput,
  DescribeLoadBalancerTargetGroupsCommandOutput,
  DetachLoadBalancerTargetGroupsCommandInput,
  DetachLoadBalancerTargetGroupsCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import type { CallContext } from '../../contracts.ts';
import { deregisterTargets, findTargetGroup, registerTargets } from '../elbv2/model.ts';
import type { Out } from '../shared/ops.ts';
import { checkTargetGroups } from './groups.ts';
import { groupOrThrow, liveMembers } from './model.ts';
import { reconcileAutoScaling } from './reconcile.ts';

export function attachLoadBalancerTargetGroups(
  input: AttachLoadBalancerTargetGroupsCommandInput,
  { cloud }: CallContext,
): Out<AttachLoadBalancerTargetGroupsCommandOutput> {
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  const arns = input.TargetGroupARNs ?? [];
  checkTargetGroups(cloud, arns);
  for (const arn of arns) {
    if (!group.targetGroupArns.includes(arn)) group.targetGroupArns.push(arn);
    // Attaching is additive and registers the group's InService instances (docs/local-cloud.md#auto-scaling).
    const tg = findTargetGroup(cloud, arn);
    const inService = group.members
      .filter((m) => m.lifecycle === 'InService')
      .map((m) => ({ id: m.instanceId }));
    if (tg && inService.length > 0) registerTargets(cloud, tg, inService);
  }
  cloud.commit();
  reconcileAutoScaling(cloud);
  return {};
}

export function detachLoadBalancerTargetGroups(
  input: DetachLoadBalancerTargetGroupsCommandInput,
  { cloud }: CallContext,
): Out<DetachLoadBalancerTargetGroupsCommandOutput> {
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  const arns = input.TargetGroupARNs ?? [];
  for (const arn of arns) {
    if (!group.targetGroupArns.includes(arn)) continue;
    group.targetGroupArns = group.targetGroupArns.filter((a) => a !== arn);
    // Detaching deregisters (with draining); the instances keep running.
    const tg = findTargetGroup(cloud, arn);
    if (tg)
      deregisterTargets(
        cloud,
        tg,
        liveMembers(group).map((m) => ({ id: m.instanceId })),
      );
  }
  cloud.commit();
  return {};
}

export function describeLoadBalancerTargetGroups(
  input: DescribeLoadBalancerTargetGroupsCommandInput,
  { cloud }: CallContext,
): Out<DescribeLoadBalancerTargetGroupsCommandOutput> {
  reconcileAutoScaling(cloud);
  const group = groupOrThrow(cloud, input.AutoScalingGroupName);
  return {
    LoadBalancerTargetGroups: group.targetGroupArns.map((arn) => {
      const tg = findTargetGroup(cloud, arn);
      const registered = liveMembers(group).filter((m) => tg?.targets.some((t) => t.id === m.instanceId));
      // Added once every member is registered; InService once one of them is InService (docs/local-cloud.md#auto-scaling).
      const state = registered.some((m) => m.lifecycle === 'InService')
        ? 'InService'
        : registered.length === liveMembers(group).length
          ? 'Added'
          : 'Adding';
      return { LoadBalancerTargetGroupARN: arn, State: state };
    }),
  };
}
