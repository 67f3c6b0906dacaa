import {
  CreateTargetGroupCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createElbv2, DEMO_DEREGISTRATION_DELAY_SECONDS } from '../../src/aws/elbv2.ts';

const awsError = (name: string) =>
  Object.assign(new Error(name), { name, $fault: 'client' as const, $metadata: {} });

describe("the demo's target group drains for a demo-sized deregistration delay, not AWS's 300 s", () => {
  const elb = mockClient(ElasticLoadBalancingV2Client);
  afterEach(() => elb.reset());
  const input = { name: 'resilient-demo-tg', vpcId: 'vpc-1', tags: [] };

  const delaySetOn = (): (string | undefined)[] =>
    elb.commandCalls(ModifyTargetGroupAttributesCommand).map((call) => {
      const { TargetGroupArn, Attributes } = call.args[0].input;
      expect(Attributes).toEqual([
        { Key: 'deregistration_delay.timeout_seconds', Value: String(DEMO_DEREGISTRATION_DELAY_SECONDS) },
      ]);
      return TargetGroupArn;
    });

  it('sets deregistration_delay.timeout_seconds on the group it creates', async () => {
    elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: 'arn:tg/new' }] });
    elb.on(ModifyTargetGroupAttributesCommand).resolves({});
    const wrapper = createElbv2(new ElasticLoadBalancingV2Client({ region: 'us-west-2' }));
    expect((await wrapper.createTargetGroup(input)).value.TargetGroupArn).toBe('arn:tg/new');
    expect(DEMO_DEREGISTRATION_DELAY_SECONDS).toBe(30);
    expect(delaySetOn()).toEqual(['arn:tg/new']);
  });

  it('sets it again on a group it adopts (a retried or resumed step)', async () => {
    elb.on(CreateTargetGroupCommand).rejects(awsError('DuplicateTargetGroupNameException'));
    elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: 'arn:tg/old' }] });
    elb.on(ModifyTargetGroupAttributesCommand).resolves({});
    const wrapper = createElbv2(new ElasticLoadBalancingV2Client({ region: 'us-west-2' }));
    await wrapper.createTargetGroup(input);
    expect(delaySetOn()).toEqual(['arn:tg/old']);
  });

  it('a refused ModifyTargetGroupAttributes fails the step (it is retried, never skipped)', async () => {
    elb.on(CreateTargetGroupCommand).resolves({ TargetGroups: [{ TargetGroupArn: 'arn:tg/new' }] });
    elb.on(ModifyTargetGroupAttributesCommand).rejects(awsError('ThrottlingException'));
    const wrapper = createElbv2(new ElasticLoadBalancingV2Client({ region: 'us-west-2', maxAttempts: 1 }));
    await expect(wrapper.createTargetGroup(input)).rejects.toThrow('ThrottlingException');
  });
});
