/**
 * IAM errors with the wire codes and statuses IAM sends (IAM API Reference, each action's "Errors" and
 * "Common Errors"): the SDK names the error after the code, so the code and status are what a client
 * matches on.
 */
import { AwsServiceError } from '../../contracts.ts';

export const iamErrors = {
  /** A member failing its constraint, in AWS's one-line validation form. */
  validation: (member: string, value: string, constraint: string) =>
    new AwsServiceError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
    ),
  noSuchEntity: (message: string) => new AwsServiceError('NoSuchEntity', message, 404),
  alreadyExists: (message: string) => new AwsServiceError('EntityAlreadyExists', message, 409),
  deleteConflict: (message: string) => new AwsServiceError('DeleteConflict', message, 409),
  limitExceeded: (message: string) => new AwsServiceError('LimitExceeded', message, 409),
  malformedPolicy: (message: string) => new AwsServiceError('MalformedPolicyDocument', message),
  invalidInput: (message: string) => new AwsServiceError('InvalidInput', message),
  accessDenied: (message: string) => new AwsServiceError('AccessDenied', message, 403),
} as const;
