/** The Auto Scaling service module (awsQuery protocol, signing name `autoscaling`). */
import type { ServiceModule } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import {
  describeAutoScalingGroups,
  describeAutoScalingInstances,
  describeScalingActivities,
} from './describe-groups.ts';
import {
  createAutoScalingGroup,
  deleteAutoScalingGroup,
  setDesiredCapacity,
  terminateInstanceInAutoScalingGroup,
  updateAutoScalingGroup,
} from './groups.ts';
import { autoScalingState, findGroup } from './model.ts';
import { reconcileAutoScaling } from './reconcile.ts';
import {
  attachLoadBalancerTargetGroups,
  describeLoadBalancerTargetGroups,
  detachLoadBalancerTargetGroups,
} from './target-group-attachments.ts';

/** Wall-clock time of each cloud's last reconcile pass (not state: it need not survive a restore). */
const lastPass = new WeakMap<object, number>();

export { reconcileAutoScaling, startAutoScalingTicker } from './reconcile.ts';

export const autoScalingService: ServiceModule = {
  signingName: 'autoscaling',
  protocol: 'awsQuery',
  actionPrefix: 'autoscaling',
  operations: {
    CreateAutoScalingGroup: op(createAutoScalingGroup),
    DescribeAutoScalingGroups: op(describeAutoScalingGroups),
    DescribeAutoScalingInstances: op(describeAutoScalingInstances),
    UpdateAutoScalingGroup: op(updateAutoScalingGroup),
    SetDesiredCapacity: op(setDesiredCapacity),
    TerminateInstanceInAutoScalingGroup: op(terminateInstanceInAutoScalingGroup),
    DeleteAutoScalingGroup: op(deleteAutoScalingGroup),
    AttachLoadBalancerTargetGroups: op(attachLoadBalancerTargetGroups),
    DetachLoadBalancerTargetGroups: op(detachLoadBalancerTargetGroups),
    DescribeLoadBalancerTargetGroups: op(describeLoadBalancerTargetGroups),
    DescribeScalingActivities: op(describeScalingActivities),
  },
  /** Runs the Auto Scaling loop once per configured period (scaled); the cloud calls this every ~100 ms. */
  tick(cloud) {
    const now = cloud.clock.now();
    const period = cloud.clock.scaled(autoScalingState(cloud).settings.periodMs);
    if (now - (lastPass.get(cloud) ?? 0) < period) return;
    lastPass.set(cloud, now);
    reconcileAutoScaling(cloud);
  },
  /** Group-scoped actions act on the group's ARN when it exists; Describe* have no resource type. */
  resources(operation, input, ctx) {
    if (operation.startsWith('Describe')) return ['*'];
    const name = input['AutoScalingGroupName'];
    const group = typeof name === 'string' ? findGroup(ctx.cloud, name) : undefined;
    return group ? [group.arn] : ['*'];
  },
};
