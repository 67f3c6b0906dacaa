/**
 * The environment of an instance process. It must never see the user's own AWS credentials: the SDK's
 * default chain (docs/local-cloud.md#instance-credentials) reads env keys, then `~/.aws/credentials` and `~/.aws/config`, before
 * it ever asks IMDS, so every `AWS_*` variable is dropped and both files point at an empty file.
 */
import { SERVER_ENV } from '../../server/env.ts';

export interface InstanceEnvInput {
  readonly inherited: NodeJS.ProcessEnv;
  readonly serverEnv: Readonly<Record<string, string>>;
  readonly region: string;
  readonly endpoint: string;
  readonly imdsEndpoint: string;
  readonly emptyAwsFile: string;
}

export function instanceEnv(input: InstanceEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.inherited)) {
    // NODE_OPTIONS could carry a test runner's loaders into the instance; an EC2 host has none.
    if (value === undefined || key.startsWith('AWS_') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  for (const [key, value] of Object.entries(input.serverEnv)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  env['AWS_SHARED_CREDENTIALS_FILE'] = input.emptyAwsFile;
  env['AWS_CONFIG_FILE'] = input.emptyAwsFile;
  env['AWS_REGION'] = input.region;
  env['AWS_ENDPOINT_URL'] = input.endpoint;
  env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = input.imdsEndpoint;
  // The workload listens on an ephemeral loopback port that it reports on stdout; the port named in
  // server.env (80 on AWS) stays the instance's nominal port (see README, "Ports").
  env[SERVER_ENV.port] = '0';
  env[SERVER_ENV.host] = '127.0.0.1';
  return env;
}
