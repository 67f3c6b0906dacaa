import { AwsServiceError, type Protocol } from '../contracts.ts';

/**
 * The errors every AWS service shares (the "Common Errors" pages of the IAM, STS, EC2, SSM and DynamoDB API
 * references), in each protocol's spelling. Query services use bare codes with 4xx statuses; JSON services
 * use `…Exception` codes with 400; EC2 reports authentication failures as `AuthFailure` (401).
 */
export type CommonError =
  | 'missingAuthentication'
  | 'incompleteSignature'
  | 'unknownAccessKey'
  | 'invalidToken'
  | 'expiredToken'
  | 'signatureMismatch'
  | 'signatureExpired'
  | 'unknownOperation'
  | 'throttled'
  | 'internalFailure'
  | 'serviceUnavailable'
  | 'bodyTooLarge'
  | 'malformedBody';

type Spelling = readonly [code: string, status: number];

const QUERY: Record<CommonError, Spelling> = {
  missingAuthentication: ['MissingAuthenticationToken', 403],
  incompleteSignature: ['IncompleteSignature', 400],
  unknownAccessKey: ['InvalidClientTokenId', 403],
  invalidToken: ['InvalidClientTokenId', 403],
  expiredToken: ['ExpiredToken', 403],
  signatureMismatch: ['SignatureDoesNotMatch', 403],
  signatureExpired: ['SignatureDoesNotMatch', 403],
  unknownOperation: ['InvalidAction', 400],
  throttled: ['Throttling', 400],
  internalFailure: ['InternalFailure', 500],
  serviceUnavailable: ['ServiceUnavailable', 503],
  bodyTooLarge: ['RequestEntityTooLarge', 413],
  malformedBody: ['MalformedQueryString', 400],
};

const EC2: Record<CommonError, Spelling> = {
  missingAuthentication: ['MissingAuthenticationToken', 401],
  incompleteSignature: ['IncompleteSignature', 400],
  unknownAccessKey: ['AuthFailure', 401],
  invalidToken: ['AuthFailure', 401],
  expiredToken: ['RequestExpired', 400],
  signatureMismatch: ['AuthFailure', 401],
  signatureExpired: ['RequestExpired', 400],
  unknownOperation: ['InvalidAction', 400],
  throttled: ['RequestLimitExceeded', 503],
  internalFailure: ['InternalError', 500],
  serviceUnavailable: ['Unavailable', 503],
  bodyTooLarge: ['RequestEntityTooLarge', 413],
  malformedBody: ['MalformedQueryString', 400],
};

const JSON_PROTOCOL: Record<CommonError, Spelling> = {
  missingAuthentication: ['MissingAuthenticationTokenException', 400],
  incompleteSignature: ['IncompleteSignatureException', 400],
  unknownAccessKey: ['UnrecognizedClientException', 400],
  invalidToken: ['UnrecognizedClientException', 400],
  expiredToken: ['ExpiredTokenException', 400],
  signatureMismatch: ['InvalidSignatureException', 400],
  signatureExpired: ['InvalidSignatureException', 400],
  unknownOperation: ['UnknownOperationException', 400],
  throttled: ['ThrottlingException', 400],
  internalFailure: ['InternalServerError', 500],
  serviceUnavailable: ['ServiceUnavailableException', 503],
  bodyTooLarge: ['RequestEntityTooLarge', 413],
  malformedBody: ['SerializationException', 400],
};

const DEFAULT_MESSAGES: Record<CommonError, string> = {
  missingAuthentication: 'Request is missing Authentication Token',
  incompleteSignature: 'The request signature does not conform to AWS standards.',
  unknownAccessKey: 'The security token included in the request is invalid.',
  invalidToken: 'The security token included in the request is invalid.',
  expiredToken: 'The security token included in the request is expired',
  signatureMismatch: 'The request signature we calculated does not match the signature you provided.',
  signatureExpired: 'Signature expired.',
  unknownOperation:
    'The action or operation requested is invalid. Verify that the action is typed correctly.',
  throttled: 'Rate exceeded',
  internalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  serviceUnavailable: 'The request has failed due to a temporary failure of the server.',
  bodyTooLarge: 'Request body is too large.',
  malformedBody: 'The request body could not be parsed.',
};

export function commonError(protocol: Protocol, kind: CommonError, message?: string): AwsServiceError {
  const table = protocol === 'ec2Query' ? EC2 : protocol === 'awsQuery' ? QUERY : JSON_PROTOCOL;
  const [code, status] = table[kind];
  const text =
    message ??
    (protocol === 'ec2Query' && kind === 'unknownAccessKey'
      ? 'AWS was not able to validate the provided access credentials'
      : DEFAULT_MESSAGES[kind]);
  // Throttling is the caller's doing but retryable; SDKs classify it by code, not by fault.
  return new AwsServiceError(code, text, status, status < 500);
}

/**
 * AWS's denial message (IAM "Troubleshoot access denied" docs): `User: <arn> is not authorized to perform:
 * <action> on resource: <arn> because no identity-based policy allows the <action> action`, or `… with an
 * explicit deny in an identity-based policy`. EC2 answers `UnauthorizedOperation` (403); JSON services
 * `AccessDeniedException` (400); query services `AccessDenied` (403).
 */
export function accessDenied(
  protocol: Protocol,
  principalArn: string,
  action: string,
  resource: string,
  explicit: boolean,
): AwsServiceError {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  const message = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
  if (protocol === 'ec2Query') {
    return new AwsServiceError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. ${message}`,
      403,
    );
  }
  if (protocol === 'awsQuery') return new AwsServiceError('AccessDenied', message, 403);
  return new AwsServiceError('AccessDeniedException', message, 400);
}
