/**
 * ELBv2 errors: the awsQueryError codes of the API model (the SDK maps them to its `…Exception` classes)
 * with the messages ALB sends (docs/local-cloud.md#errors for ResourceInUse).
 */
import { AwsServiceError } from '../../contracts.ts';

const e = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status);

export const elbErrors = {
  validation: (message: string) => e('ValidationError', message),
  constraint: (value: unknown, field: string, constraint: string) =>
    e(
      'ValidationError',
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`,
    ),
  loadBalancerNotFound: () => e('LoadBalancerNotFound', 'One or more load balancers not found'),
  loadBalancerNameNotFound: (name: string) =>
    e('LoadBalancerNotFound', `Load balancers '[${name}]' not found`),
  targetGroupNotFound: () => e('TargetGroupNotFound', 'One or more target groups not found'),
  listenerNotFound: () => e('ListenerNotFound', 'One or more listeners not found'),
  duplicateLoadBalancerName: (name: string) =>
    e(
      'DuplicateLoadBalancerName',
      `A load balancer with the same name '${name}' exists, but with different settings`,
    ),
  duplicateTargetGroupName: (name: string) =>
    e(
      'DuplicateTargetGroupName',
      `A target group with the same name '${name}' exists, but with different settings`,
    ),
  duplicateListener: (lbName: string) =>
    e('DuplicateListener', `A listener already exists on this port for this load balancer '${lbName}'`),
  targetGroupInUse: (arn: string) =>
    e('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`),
  targetGroupAssociationLimit: (arn: string) =>
    e(
      'TargetGroupAssociationLimit',
      `The following target groups cannot be associated with more than one load balancer: ${arn}`,
    ),
  invalidTargetNotRunning: (ids: readonly string[]) =>
    e(
      'InvalidTarget',
      `The following targets are not in a running state and cannot be registered: '${ids.join("', '")}'`,
    ),
  invalidTargetUnknown: (ids: readonly string[]) =>
    e('InvalidTarget', `The following targets are not valid instances: '${ids.join("', '")}'`),
  subnetNotFound: (id: string) => e('SubnetNotFound', `The subnet ID '${id}' is not valid`),
  invalidSecurityGroup: (id: string) => e('InvalidSecurityGroup', `Security group '${id}' does not exist`),
  invalidConfiguration: (message: string) => e('InvalidConfigurationRequest', message),
  unsupportedProtocol: (protocol: string) =>
    e('UnsupportedProtocol', `Protocol '${protocol}' is not supported`),
  duplicateTagKeys: (key: string) => e('DuplicateTagKeys', `Tag key '${key}' specified more than once`),
  tooManyTags: () => e('TooManyTags', 'You have reached the limit on the number of tags for this resource'),
} as const;
