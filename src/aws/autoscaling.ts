import {
  AttachLoadBalancerTargetGroupsCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DetachLoadBalancerTargetGroupsCommand,
  type Tag,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { isProfileNotReady } from './ec2.ts';
import { type CallOptions, code, isAwsError, outcome, sendOptions } from './errors.ts';
import { type Created, created, existing, type ProfileNotReady } from './result.ts';

/** CreateAutoScalingGroup answers nothing but success: what is known of the group is its name. */
export type GroupName = Required<Pick<AutoScalingGroup, 'AutoScalingGroupName'>>;

/** @see https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_Operations.html */
export interface AutoScaling {
  /**
   * `created: false`: a group of that name exists (AlreadyExists). `'profile-not-ready'`: the launch template's
   * instance profile is not yet visible ("Invalid IamInstanceProfile", IAM eventual consistency).
   */
  createGroup(
    input: {
      name: string;
      launchTemplateName: string;
      zones: string[];
      subnetIds: string[];
      size: number;
      tags: Tag[];
    },
    options?: CallOptions,
  ): Promise<Created<GroupName> | ProfileNotReady>;
  describeGroup(name: string, options?: CallOptions): Promise<AutoScalingGroup | undefined>;
  setSize(
    name: string,
    size: { min: number; max: number; desired: number },
    options?: CallOptions,
  ): Promise<'updated' | 'not-found'>;
  /** `'not-found'`: the instance is not (or no longer) in a group (ValidationError "Instance Id not found"). */
  terminateInstance(
    instanceId: string,
    decrement: boolean,
    options?: CallOptions,
  ): Promise<'terminating' | 'not-found'>;
  attachTargetGroups(
    name: string,
    targetGroupArns: string[],
    options?: CallOptions,
  ): Promise<'attached' | 'not-found'>;
  /**
   * Detaches every target group attached to the group (its instances are deregistered and drain).
   * `'not-found'`: the group does not exist, so nothing is attached.
   */
  detachAllTargetGroups(name: string, options?: CallOptions): Promise<'detached' | 'not-found'>;
  /**
   * `'in-use'`: instances are still in the group (ResourceInUse); `'activity-in-progress'`: a scaling
   * activity is running (ScalingActivityInProgress). Both are retried by the caller.
   */
  deleteGroup(
    name: string,
    options?: CallOptions,
  ): Promise<'deleted' | 'not-found' | 'in-use' | 'activity-in-progress'>;
}

const isGroupNotFound = (error: unknown): boolean =>
  isAwsError(error, 'ValidationError') && /not found|does not exist/i.test(String((error as Error).message));

export function createAutoScaling(client: AutoScalingClient): AutoScaling {
  return {
    async createGroup({ name, launchTemplateName, zones, subnetIds, size, tags }, options) {
      try {
        await client.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            LaunchTemplate: { LaunchTemplateName: launchTemplateName, Version: '$Default' },
            ...(subnetIds.length > 0
              ? { VPCZoneIdentifier: subnetIds.join(',') }
              : { AvailabilityZones: zones }),
            MinSize: size,
            MaxSize: size,
            DesiredCapacity: size,
            Tags: tags.map((t) => ({ ...t, PropagateAtLaunch: true })),
          }),
          sendOptions(options),
        );
        return created({ AutoScalingGroupName: name });
      } catch (error: unknown) {
        if (isAwsError(error, 'AlreadyExists')) return existing({ AutoScalingGroupName: name });
        if (isProfileNotReady(error)) return 'profile-not-ready';
        throw error;
      }
    },
    async describeGroup(name, options) {
      const out = await client.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
        sendOptions(options),
      );
      return out.AutoScalingGroups?.[0];
    },
    setSize: (name, { min, max, desired }, options) =>
      outcome(
        () =>
          client.send(
            new UpdateAutoScalingGroupCommand({
              AutoScalingGroupName: name,
              MinSize: min,
              MaxSize: max,
              DesiredCapacity: desired,
            }),
            sendOptions(options),
          ),
        'updated',
        ['not-found', isGroupNotFound],
      ),
    terminateInstance: (instanceId, decrement, options) =>
      outcome(
        () =>
          client.send(
            new TerminateInstanceInAutoScalingGroupCommand({
              InstanceId: instanceId,
              ShouldDecrementDesiredCapacity: decrement,
            }),
            sendOptions(options),
          ),
        'terminating',
        ['not-found', isGroupNotFound],
      ),
    attachTargetGroups: (name, targetGroupArns, options) =>
      outcome(
        () =>
          client.send(
            new AttachLoadBalancerTargetGroupsCommand({
              AutoScalingGroupName: name,
              TargetGroupARNs: targetGroupArns,
            }),
            sendOptions(options),
          ),
        'attached',
        ['not-found', isGroupNotFound],
      ),
    async detachAllTargetGroups(name, options) {
      const out = await client.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }),
        sendOptions(options),
      );
      const arns = out.AutoScalingGroups?.[0]?.TargetGroupARNs;
      if (arns === undefined) return 'not-found';
      if (arns.length === 0) return 'detached';
      return outcome(
        () =>
          client.send(
            new DetachLoadBalancerTargetGroupsCommand({ AutoScalingGroupName: name, TargetGroupARNs: arns }),
            sendOptions(options),
          ),
        'detached',
        ['not-found', isGroupNotFound],
      );
    },
    deleteGroup: (name, options) =>
      outcome(
        () =>
          client.send(
            new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name }),
            sendOptions(options),
          ),
        'deleted',
        ['activity-in-progress', code('ScalingActivityInProgress')],
        ['in-use', code('ResourceInUse')],
        ['not-found', isGroupNotFound],
      ),
  };
}
