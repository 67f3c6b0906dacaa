import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  type PutParameterResult,
  type SSMClient,
  type Tag,
} from '@aws-sdk/client-ssm';
import { type CallOptions, code, isAwsError, orAbsent, outcome, sendOptions } from './errors.ts';
import { type Created, created, existing } from './result.ts';

/** The public parameter that always names the latest Amazon Linux 2023 AMI for x86_64. */
export const AL2023_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

/** @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Operations.html */
export interface Ssm {
  /**
   * Creates the parameter with tags, or overwrites its value when it exists. PutParameter refuses
   * `Tags` together with `Overwrite`, so the first call creates and a `ParameterAlreadyExists` answer
   * is followed by an overwrite (`created: false`).
   */
  putParameter(
    input: { name: string; value: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<PutParameterResult>>;
  getParameter(name: string, options?: CallOptions): Promise<string | undefined>;
  /** Values by name; names that do not exist are in `missing`. */
  getParameters(
    names: string[],
    options?: CallOptions,
  ): Promise<{ values: Record<string, string>; missing: string[] }>;
  deleteParameter(name: string, options?: CallOptions): Promise<'deleted' | 'not-found'>;
}

export function createSsm(client: SSMClient): Ssm {
  return {
    async putParameter({ name, value, tags }, options) {
      try {
        return created(
          await client.send(
            new PutParameterCommand({ Name: name, Value: value, Type: 'String', Tags: tags }),
            sendOptions(options),
          ),
        );
      } catch (error: unknown) {
        if (!isAwsError(error, 'ParameterAlreadyExists')) throw error;
      }
      return existing(
        await client.send(
          new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }),
          sendOptions(options),
        ),
      );
    },
    getParameter: (name, options) =>
      orAbsent(
        async () =>
          (await client.send(new GetParameterCommand({ Name: name }), sendOptions(options))).Parameter?.Value,
        code('ParameterNotFound'),
      ),
    async getParameters(names, options) {
      const out = await client.send(new GetParametersCommand({ Names: names }), sendOptions(options));
      const values: Record<string, string> = {};
      for (const p of out.Parameters ?? []) if (p.Name !== undefined) values[p.Name] = p.Value ?? '';
      return { values, missing: out.InvalidParameters ?? [] };
    },
    deleteParameter: (name, options) =>
      outcome(
        () => client.send(new DeleteParameterCommand({ Name: name }), sendOptions(options)),
        'deleted',
        ['not-found', code('ParameterNotFound')],
      ),
  };
}
