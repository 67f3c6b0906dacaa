/** The SSM service module (awsJson1_1 protocol, signing name `ssm`). */
import type { ServiceModule } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import { describeInstanceInformation, getCommandInvocation, listCommands, sendCommand } from './commands.ts';
import { describeParameters } from './describe-parameters.ts';
import {
  deleteParameter,
  deleteParameters,
  getParameter,
  getParameters,
  getParametersByPath,
  putParameter,
} from './parameters.ts';

const PARAMETER_OPS = new Set([
  'PutParameter',
  'GetParameter',
  'GetParameters',
  'DeleteParameter',
  'DeleteParameters',
]);

export const ssmService: ServiceModule = {
  signingName: 'ssm',
  protocol: 'awsJson1_1',
  actionPrefix: 'ssm',
  operations: {
    PutParameter: op(putParameter),
    GetParameter: op(getParameter),
    GetParameters: op(getParameters),
    GetParametersByPath: op(getParametersByPath),
    DescribeParameters: op(describeParameters),
    DeleteParameter: op(deleteParameter),
    DeleteParameters: op(deleteParameters),
    DescribeInstanceInformation: op(describeInstanceInformation),
    SendCommand: op(sendCommand),
    GetCommandInvocation: op(getCommandInvocation),
    ListCommands: op(listCommands),
  },
  /** Parameter actions are scoped to `parameter/<name>` ARNs (how the instance policy grants GetParameters). */
  resources(operation, input, ctx) {
    if (!PARAMETER_OPS.has(operation)) return ['*'];
    const { region, accountId } = ctx.cloud.config;
    const names = [input['Name'], ...(Array.isArray(input['Names']) ? input['Names'] : [])].filter(
      (n): n is string => typeof n === 'string',
    );
    if (names.length === 0) return ['*'];
    return names.map((n) => `arn:aws:ssm:${region}:${accountId}:parameter/${n.replace(/^\//, '')}`);
  },
};
