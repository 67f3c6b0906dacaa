import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  ModifyTargetGroupAttributesCommand,
  type Tag,
  type TargetGroup,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type ClientConfig, type Opened, opened, sdkConfig } from './config.ts';
import { type CallOptions, code, isAwsError, orAbsent, outcome, sendOptions } from './errors.ts';
import { type Created, created, existing } from './result.ts';

/** Health check settings of the seed's target group (spec "Load balancer", step 3). */
export const SEED_HEALTH_CHECK = {
  path: '/healthcheck',
  intervalSeconds: 10,
  timeoutSeconds: 5,
  healthyThreshold: 2,
  unhealthyThreshold: 2,
} as const;

/**
 * The demo's deregistration delay, in seconds. AWS's default is 300 s: a deregistered target drains that
 * long before it is gone, and deleting the Auto Scaling group waits for every instance to drain, so a
 * finished demo spent five minutes in destroy. The demo's requests take milliseconds, so 30 s still
 * lets in-flight requests finish (stage 6: zero 5xx while an instance is replaced).
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
 */
export const DEMO_DEREGISTRATION_DELAY_SECONDS = 30;

/** @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Operations.html */
export interface Elbv2 {
  /**
   * HTTP:80 with the seed's health check, then the demo's deregistration delay
   * (ModifyTargetGroupAttributes, idempotent). CreateTargetGroup is idempotent for the same name and
   * settings (`created: true` all the same: AWS does not say), so a retried or resumed step adopts the
   * group and sets the attribute again; a group of that name with other settings is adopted by name.
   */
  createTargetGroup(
    input: { name: string; vpcId: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<TargetGroup>>;
  describeTargetGroup(name: string, options?: CallOptions): Promise<TargetGroup | undefined>;
  /** `'in-use'`: still referenced by a listener or rule (ResourceInUse) until the load balancer is gone. */
  deleteTargetGroup(arn: string, options?: CallOptions): Promise<'deleted' | 'not-found' | 'in-use'>;
  /**
   * An internet-facing ALB. CreateLoadBalancer returns the existing one for the same name and settings
   * (`created: true`: AWS does not say); one of that name with other settings is adopted by name.
   */
  createLoadBalancer(
    input: { name: string; subnetIds: string[]; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<LoadBalancer>>;
  describeLoadBalancer(name: string, options?: CallOptions): Promise<LoadBalancer | undefined>;
  /** Up to `limit` load balancers (the "Hello, Elastic Load Balancing" listing). */
  listLoadBalancers(limit: number, options?: CallOptions): Promise<LoadBalancer[]>;
  deleteLoadBalancer(arn: string, options?: CallOptions): Promise<'deleted' | 'not-found'>;
  /** A forward listener on the target group's protocol and port; an existing one on that port is adopted. */
  createListener(
    input: { loadBalancerArn: string; targetGroupArn: string; port: number },
    options?: CallOptions,
  ): Promise<Created<Listener>>;
  /** `undefined` when the target group does not exist. */
  targetHealth(targetGroupArn: string, options?: CallOptions): Promise<TargetHealthDescription[] | undefined>;
}

export function createElbv2(client: ElasticLoadBalancingV2Client): Elbv2 {
  const describeTargetGroup = async (name: string, options?: CallOptions): Promise<TargetGroup | undefined> =>
    orAbsent(
      async () =>
        (await client.send(new DescribeTargetGroupsCommand({ Names: [name] }), sendOptions(options)))
          .TargetGroups?.[0],
      code('TargetGroupNotFound'),
    );
  const describeLoadBalancer = async (
    name: string,
    options?: CallOptions,
  ): Promise<LoadBalancer | undefined> =>
    orAbsent(
      async () =>
        (await client.send(new DescribeLoadBalancersCommand({ Names: [name] }), sendOptions(options)))
          .LoadBalancers?.[0],
      code('LoadBalancerNotFound'),
    );
  const createOrAdoptTargetGroup = async (
    name: string,
    vpcId: string,
    tags: Tag[],
    options?: CallOptions,
  ): Promise<Created<TargetGroup>> => {
    try {
      const out = await client.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: vpcId,
          HealthCheckPath: SEED_HEALTH_CHECK.path,
          HealthCheckIntervalSeconds: SEED_HEALTH_CHECK.intervalSeconds,
          HealthCheckTimeoutSeconds: SEED_HEALTH_CHECK.timeoutSeconds,
          HealthyThresholdCount: SEED_HEALTH_CHECK.healthyThreshold,
          UnhealthyThresholdCount: SEED_HEALTH_CHECK.unhealthyThreshold,
          Tags: tags,
        }),
        sendOptions(options),
      );
      const group = out.TargetGroups?.[0];
      if (group !== undefined) return created(group);
    } catch (error: unknown) {
      // Same name with different settings: adopt it only if it is ours to find by name.
      if (!isAwsError(error, 'DuplicateTargetGroupName')) throw error;
    }
    const found = await describeTargetGroup(name, options);
    if (found === undefined) throw new Error(`target group ${name} neither created nor found`);
    return existing(found);
  };
  return {
    async createTargetGroup({ name, vpcId, tags }, options) {
      const group = await createOrAdoptTargetGroup(name, vpcId, tags, options);
      await client.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: group.value.TargetGroupArn,
          Attributes: [
            { Key: 'deregistration_delay.timeout_seconds', Value: String(DEMO_DEREGISTRATION_DELAY_SECONDS) },
          ],
        }),
        sendOptions(options),
      );
      return group;
    },
    describeTargetGroup,
    deleteTargetGroup: (arn, options) =>
      outcome(
        () => client.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }), sendOptions(options)),
        'deleted',
        ['in-use', code('ResourceInUse')],
        ['not-found', code('TargetGroupNotFound')],
      ),
    async createLoadBalancer({ name, subnetIds, tags }, options) {
      try {
        const out = await client.send(
          new CreateLoadBalancerCommand({
            Name: name,
            Subnets: subnetIds,
            Scheme: 'internet-facing',
            Type: 'application',
            Tags: tags,
          }),
          sendOptions(options),
        );
        const lb = out.LoadBalancers?.[0];
        if (lb !== undefined) return created(lb);
      } catch (error: unknown) {
        if (!isAwsError(error, 'DuplicateLoadBalancerName')) throw error;
      }
      const found = await describeLoadBalancer(name, options);
      if (found === undefined) throw new Error(`load balancer ${name} neither created nor found`);
      return existing(found);
    },
    describeLoadBalancer,
    async listLoadBalancers(limit, options) {
      const out = await client.send(
        new DescribeLoadBalancersCommand({ PageSize: limit }),
        sendOptions(options),
      );
      return (out.LoadBalancers ?? []).slice(0, limit);
    },
    deleteLoadBalancer: (arn, options) =>
      outcome(
        () => client.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }), sendOptions(options)),
        'deleted',
        ['not-found', code('LoadBalancerNotFound')],
      ),
    async createListener({ loadBalancerArn, targetGroupArn, port }, options) {
      try {
        const out = await client.send(
          new CreateListenerCommand({
            LoadBalancerArn: loadBalancerArn,
            Protocol: 'HTTP',
            Port: port,
            DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
          }),
          sendOptions(options),
        );
        const listener = out.Listeners?.[0];
        if (listener?.ListenerArn !== undefined) return created(listener);
      } catch (error: unknown) {
        if (!isAwsError(error, 'DuplicateListener')) throw error;
      }
      const out = await client.send(
        new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
        sendOptions(options),
      );
      const found = (out.Listeners ?? []).find((l) => l.Port === port);
      if (found?.ListenerArn === undefined)
        throw new Error(`listener on port ${port} neither created nor found`);
      return existing(found);
    },
    targetHealth: (targetGroupArn, options) =>
      orAbsent(
        async () =>
          (
            await client.send(
              new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
              sendOptions(options),
            )
          ).TargetHealthDescriptions ?? [],
        code('TargetGroupNotFound'),
      ),
  };
}

/** ELBv2 alone (`hello`, the live target health of `status`), without loading the other services' clients. */
export const openElbv2 = (config: ClientConfig): Opened<Elbv2> =>
  opened(new ElasticLoadBalancingV2Client(sdkConfig(config)), createElbv2);
