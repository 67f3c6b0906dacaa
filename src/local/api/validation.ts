import { AwsServiceError, type Protocol } from '../contracts.ts';

/** One problem found while reading a request against its schema. */
export interface ValidationIssue {
  readonly kind: 'required' | 'type';
  /** The member path as AWS names it in messages: lowerCamel member names joined by dots, e.g. `roleName`. */
  readonly path: string;
  /** The wire key (`InstanceId`, `Tags.member.1.Key`), which EC2 names in its messages. */
  readonly wireKey: string;
  readonly expected?: string;
  readonly value?: string;
}

const lowerFirst = (s: string): string => (s === '' ? s : `${s[0]?.toLowerCase()}${s.slice(1)}`);
export const awsMemberPath = (names: readonly string[]): string => names.map(lowerFirst).join('.');

/**
 * The protocol's own validation error. Query and JSON services answer `ValidationError` / `ValidationException`
 * with Coral's "N validation error(s) detected: Value null at 'x' failed to satisfy constraint: Member must not
 * be null"; EC2 answers `MissingParameter` ("The request must contain the parameter X") or
 * `InvalidParameterValue`.
 */
export function validationError(protocol: Protocol, issues: readonly ValidationIssue[]): AwsServiceError {
  if (protocol === 'ec2Query') {
    const first = issues[0];
    if (first?.kind === 'required') {
      return new AwsServiceError(
        'MissingParameter',
        `The request must contain the parameter ${first.wireKey}`,
      );
    }
    return new AwsServiceError(
      'InvalidParameterValue',
      `Value (${first?.value ?? ''}) for parameter ${first?.wireKey ?? ''} is invalid. Expected ${first?.expected ?? 'a valid value'}.`,
    );
  }
  const code = protocol === 'awsQuery' ? 'ValidationError' : 'ValidationException';
  const parts = issues
    .slice(0, 10)
    .map((issue) =>
      issue.kind === 'required'
        ? `Value null at '${issue.path}' failed to satisfy constraint: Member must not be null`
        : `Value '${issue.value ?? ''}' at '${issue.path}' failed to satisfy constraint: Member must be ${issue.expected ?? 'valid'}`,
    );
  const n = issues.length;
  return new AwsServiceError(
    code,
    `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`,
  );
}
