import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';
import { leftovers } from '../_support/leftovers.ts';
import { type E2eCloud, startCloudViaCli } from '../_support/local-cloud.ts';

// `--target aws` uses the SDK's default chains. Pointing AWS_ENDPOINT_URL at a local cloud keeps every
// request on 127.0.0.1 while exercising exactly the code path a real account takes.
const config = tempDir();
const state = tempDir('resilient-e2e-aws-');
const runs = tempDir('resilient-e2e-aws-runs-');
let cloud: E2eCloud;

beforeAll(async () => {
  cloud = await startCloudViaCli(state.path, config.path, 0.05);
});
afterAll(async () => {
  killLeftovers();
  await cloud?.stop();
  config.remove();
  state.remove();
  runs.remove();
});

const awsEnv = (extra: Record<string, string>): Record<string, string> => ({
  ...baseEnv(config.path),
  AWS_ENDPOINT_URL: cloud.endpoint,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: path.join(runs.path, 'no-credentials'),
  AWS_CONFIG_FILE: path.join(runs.path, 'no-config'),
  ...extra,
});

describe('--target aws', () => {
  it('with no credentials at all: a clear error before anything is created, exit 1', async () => {
    const result = await spawnCli(
      [
        'start',
        '--target',
        'aws',
        '--region',
        'us-west-2',
        '--yes',
        '--name',
        'nocreds',
        '--state-dir',
        runs.path,
      ],
      { env: awsEnv({}) },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AWS rejected or could not find credentials');
    expect(result.stderr).toContain('configure credentials');
    expect(existsSync(path.join(runs.path, 'nocreds.json'))).toBe(false);
    expect(await leftovers(cloud.clients, 'nocreds')).toEqual([]);
  });

  it('with rejected credentials: a clear error before anything is created, exit 1', async () => {
    const result = await spawnCli(
      [
        'start',
        '--target',
        'aws',
        '--region',
        'us-west-2',
        '--yes',
        '--name',
        'badcreds',
        '--state-dir',
        runs.path,
      ],
      { env: awsEnv({ AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-the-secret' }) },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AWS rejected or could not find credentials');
    expect(existsSync(path.join(runs.path, 'badcreds.json'))).toBe(false);
    expect(await leftovers(cloud.clients, 'badcreds')).toEqual([]);
  });

  it('hello lists the load balancers through the default credential chain', async () => {
    const admin = readAdminCredentials(daemonPaths(state.path));
    const result = await spawnCli(['hello', '--target', 'aws', '--region', 'us-west-2'], {
      env: awsEnv({
        AWS_ACCESS_KEY_ID: admin?.accessKeyId ?? '',
        AWS_SECRET_ACCESS_KEY: admin?.secretAccessKey ?? '',
      }),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    expect(result.stdout).toContain('in us-west-2');
  });
});
