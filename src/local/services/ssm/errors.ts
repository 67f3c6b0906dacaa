/** SSM errors: awsJson1_1 error shape names (the `__type`) with the messages SSM sends. */
import { AwsServiceError } from '../../contracts.ts';

const e = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status);

export const ssmErrors = {
  validation: (message: string) => e('ValidationException', message),
  parameterNotFound: (name?: string) =>
    e('ParameterNotFound', name === undefined ? 'Parameter not found.' : `Parameter ${name} not found.`),
  parameterAlreadyExists: () =>
    e(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    ),
  unsupportedParameterType: (type: string) =>
    e('UnsupportedParameterType', `Parameter type ${type} is not supported.`),
  invalidAllowedPattern: () =>
    e('InvalidAllowedPatternException', 'Parameter value, cannot be validated against allowedPattern'),
  hierarchyLevelLimit: () =>
    e('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.'),
  invalidInstanceId: () => e('InvalidInstanceId', 'Instances [[i-…]] not in a valid state for account'),
  invalidInstanceIds: (ids: readonly string[]) =>
    e('InvalidInstanceId', `Instances [[${ids.join(', ')}]] not in a valid state for account`),
  invalidDocument: (name: string) => e('InvalidDocument', `Document with name ${name} does not exist.`),
  invalidParameters: (message: string) => e('InvalidParameters', message),
  invocationDoesNotExist: () => e('InvocationDoesNotExist', ''),
  invalidCommandId: () => e('InvalidCommandId', ''),
  invalidFilterKey: (key: string) => e('InvalidFilterKey', `The filter key ${key} is not valid.`),
  invalidFilterOption: (key: string, option: string) =>
    e('InvalidFilterOption', `The filter option ${option} is not valid for key ${key}.`),
  invalidNextToken: () => e('InvalidNextToken', 'The specified token is not valid.'),
} as const;
