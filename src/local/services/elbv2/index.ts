/** The ELBv2 service module (awsQuery protocol, signing name `elasticloadbalancing`). */
import type { ServiceModule } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import {
  createListener,
  createLoadBalancer,
  deleteListener,
  deleteLoadBalancer,
  describeListeners,
  describeLoadBalancers,
} from './load-balancers.ts';
import { addTags, describeTags, removeTags } from './tags.ts';
import {
  createTargetGroup,
  deleteTargetGroup,
  deregisterTargetsOp,
  describeTargetGroupAttributes,
  describeTargetGroups,
  describeTargetHealth,
  modifyTargetGroup,
  modifyTargetGroupAttributes,
  registerTargetsOp,
} from './target-groups.ts';

const ARN_KEYS = ['LoadBalancerArn', 'TargetGroupArn', 'ListenerArn'] as const;

export const elbv2Service: ServiceModule = {
  signingName: 'elasticloadbalancing',
  protocol: 'awsQuery',
  actionPrefix: 'elasticloadbalancing',
  operations: {
    CreateLoadBalancer: op(createLoadBalancer),
    DescribeLoadBalancers: op(describeLoadBalancers),
    DeleteLoadBalancer: op(deleteLoadBalancer),
    CreateListener: op(createListener),
    DescribeListeners: op(describeListeners),
    DeleteListener: op(deleteListener),
    CreateTargetGroup: op(createTargetGroup),
    DescribeTargetGroups: op(describeTargetGroups),
    ModifyTargetGroup: op(modifyTargetGroup),
    ModifyTargetGroupAttributes: op(modifyTargetGroupAttributes),
    DescribeTargetGroupAttributes: op(describeTargetGroupAttributes),
    DeleteTargetGroup: op(deleteTargetGroup),
    RegisterTargets: op(registerTargetsOp),
    DeregisterTargets: op(deregisterTargetsOp),
    DescribeTargetHealth: op(describeTargetHealth),
    AddTags: op(addTags),
    RemoveTags: op(removeTags),
    DescribeTags: op(describeTags),
  },
  /** Mutations act on the ARN they name; Describe* actions have no resource-level permissions. */
  resources(operation, input) {
    if (operation.startsWith('Describe')) return ['*'];
    const arns: string[] = [];
    for (const key of ARN_KEYS) {
      const value = input[key];
      if (typeof value === 'string') arns.push(value);
    }
    const many = input['ResourceArns'];
    if (Array.isArray(many)) for (const v of many) if (typeof v === 'string') arns.push(v);
    return arns.length > 0 ? arns : ['*'];
  },
};
