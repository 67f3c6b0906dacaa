/**
 * Auto Scaling errors: awsQueryError codes of the API model and the messages AWS sends
 * (docs/local-cloud.md#auto-scaling-termination).
 */
import { AwsServiceError } from '../../contracts.ts';

const e = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status);

export const asgErrors = {
  validation: (message: string) => e('ValidationError', message),
  alreadyExists: (name: string) =>
    e(
      'AlreadyExists',
      `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
    ),
  groupNotFound: (name: string) =>
    e('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`),
  resourceInUse: () =>
    e(
      'ResourceInUse',
      'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.',
    ),
  scalingActivityInProgress: () =>
    e(
      'ScalingActivityInProgress',
      'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.',
    ),
  minMax: (min: number, max: number) =>
    e('ValidationError', `Max bound, ${max}, must be greater than or equal to min bound, ${min}`),
  desiredOutOfRange: (desired: number, min: number, max: number) =>
    e(
      'ValidationError',
      `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
    ),
  desiredAboveMax: (desired: number, max: number) =>
    e(
      'ValidationError',
      `New SetDesiredCapacity value ${desired} is above max value ${max} for the AutoScalingGroup.`,
    ),
  desiredBelowMin: (desired: number, min: number) =>
    e(
      'ValidationError',
      `New SetDesiredCapacity value ${desired} is below min value ${min} for the AutoScalingGroup.`,
    ),
  instanceNotFound: (id: string) =>
    e('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`),
  wouldViolateMin: (min: number) =>
    e(
      'ValidationError',
      `Currently, desiredSize equals minSize (${min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
    ),
  launchTemplateIdNotFound: (id: string) =>
    e(
      'ValidationError',
      `You must use a valid fully-formed launch template. The specified launch template, with template ID ${id}, does not exist.`,
    ),
  launchTemplateNameNotFound: (name: string) =>
    e(
      'ValidationError',
      `You must use a valid fully-formed launch template. The launch template with name ${name} does not exist.`,
    ),
  launchTemplateVersionNotFound: (version: string) =>
    e(
      'ValidationError',
      `You must use a valid fully-formed launch template. The specified launch template version ${version} does not exist.`,
    ),
  noZones: () => e('ValidationError', 'At least one Availability Zone or VPC Subnet is required.'),
  invalidZone: (zone: string) => e('ValidationError', `The availability zone ${zone} is not legal`),
  invalidSubnet: (id: string) => e('ValidationError', `The subnet ID '${id}' does not exist`),
  targetGroupNotFound: (arn: string) =>
    e(
      'ValidationError',
      `Provided Target Groups may not be valid. Please ensure they exist and try again. (${arn})`,
    ),
  invalidNextToken: () => e('InvalidNextToken', 'The token is not valid.'),
} as const;
