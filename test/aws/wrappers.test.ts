import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateRoleCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAutoScaling } from '../../src/aws/autoscaling.ts';
import { createElbv2 } from '../../src/aws/elbv2.ts';
import { code, orAbsent, outcome } from '../../src/aws/errors.ts';
import { createIam } from '../../src/aws/iam.ts';

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $fault: 'client' as const, $metadata: {} });

describe('AWS wrappers turn expected errors into values', () => {
  const iam = mockClient(IAMClient);
  const asg = mockClient(AutoScalingClient);
  const elb = mockClient(ElasticLoadBalancingV2Client);
  afterEach(() => {
    iam.reset();
    asg.reset();
    elb.reset();
  });

  it('getRole returns undefined for NoSuchEntity and createRole reports an existing role with its tags', async () => {
    const role = {
      Path: '/',
      RoleName: 'r',
      RoleId: 'AROA1',
      Arn: 'arn:aws:iam::123456789012:role/r',
      CreateDate: new Date(0),
      Tags: [{ Key: 'resilient:deployment', Value: 'demo' }],
    };
    iam
      .on(GetRoleCommand)
      .rejectsOnce(new NoSuchEntityException({ message: 'no role', $metadata: {} }))
      .resolves({ Role: role });
    iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'exists', $metadata: {} }));
    const wrapper = createIam(new IAMClient({ region: 'us-west-2' }));
    expect(await wrapper.getRole('r')).toBeUndefined();
    expect(await wrapper.createRole({ name: 'r', assumeRolePolicy: '{}', tags: [] })).toEqual({
      created: false,
      value: role,
    });
  });

  it('createRole of a name that exists but vanished before GetRole fails rather than adopting nothing', async () => {
    iam.on(CreateRoleCommand).rejects(new EntityAlreadyExistsException({ message: 'exists', $metadata: {} }));
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata: {} }));
    const wrapper = createIam(new IAMClient({ region: 'us-west-2' }));
    await expect(wrapper.createRole({ name: 'r', assumeRolePolicy: '{}', tags: [] })).rejects.toThrow(
      'exists but GetRole cannot find it',
    );
  });

  it('deleteTargetGroup reports in-use and not-found', async () => {
    const wrapper = createElbv2(new ElasticLoadBalancingV2Client({ region: 'us-west-2' }));
    elb
      .on(DeleteTargetGroupCommand)
      .rejectsOnce(awsError('ResourceInUseException'))
      .rejectsOnce(awsError('TargetGroupNotFoundException'))
      .resolves({});
    expect(await wrapper.deleteTargetGroup('arn:tg')).toBe('in-use');
    expect(await wrapper.deleteTargetGroup('arn:tg')).toBe('not-found');
    expect(await wrapper.deleteTargetGroup('arn:tg')).toBe('deleted');
  });

  it('deleteAutoScalingGroup distinguishes activity-in-progress, in-use and not-found', async () => {
    const wrapper = createAutoScaling(new AutoScalingClient({ region: 'us-west-2' }));
    asg
      .on(DeleteAutoScalingGroupCommand)
      .rejectsOnce(awsError('ScalingActivityInProgressFault'))
      .rejectsOnce(awsError('ResourceInUseFault'))
      .rejectsOnce(
        awsError('ValidationError', 'AutoScalingGroup name not found - AutoScalingGroup g not found'),
      );
    expect(await wrapper.deleteGroup('g')).toBe('activity-in-progress');
    expect(await wrapper.deleteGroup('g')).toBe('in-use');
    expect(await wrapper.deleteGroup('g')).toBe('not-found');
  });

  it('createGroup reports a not-yet-visible instance profile as profile-not-ready, and other errors throw', async () => {
    const wrapper = createAutoScaling(new AutoScalingClient({ region: 'us-west-2' }));
    asg
      .on(CreateAutoScalingGroupCommand)
      .rejectsOnce(
        awsError(
          'ValidationError',
          'You must use a valid fully-formed launch template. Invalid IamInstanceProfile: resilient-demo-instance',
        ),
      )
      .rejectsOnce(
        awsError('ValidationError', 'Max bound, 3, must be greater than or equal to min bound, 4'),
      );
    const input = { name: 'g', launchTemplateName: 't', zones: ['a'], subnetIds: [], size: 3, tags: [] };
    expect(await wrapper.createGroup(input)).toBe('profile-not-ready');
    await expect(wrapper.createGroup(input)).rejects.toThrow(/Max bound/);
  });

  it('outcome names a success, or the first expected error that matches, in order, and throws any other', async () => {
    const failing = (name: string) => () => Promise.reject(awsError(name));
    const call = (run: () => Promise<unknown>) =>
      outcome(
        run,
        'deleted',
        ['in-use', code('ResourceInUse')],
        ['not-found', code('NotFound', 'ResourceInUse')],
      );
    expect(await call(() => Promise.resolve({}))).toBe('deleted');
    expect(await call(failing('ResourceInUseException'))).toBe('in-use');
    expect(await call(failing('NotFoundException'))).toBe('not-found');
    await expect(call(failing('AccessDenied'))).rejects.toThrow('AccessDenied');
    expect(await orAbsent(failing('NotFoundException'), code('NotFound'))).toBeUndefined();
    await expect(orAbsent(failing('Throttling'), code('NotFound'))).rejects.toThrow('Throttling');
  });
});
