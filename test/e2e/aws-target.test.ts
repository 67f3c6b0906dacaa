import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { spawnCli, tempDir } from '../_support/cli.ts';
import { awsStartArgs, awsTargetEnv, useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

// `--target aws` uses the SDK's default chains. Pointing AWS_ENDPOINT_URL at a local cloud keeps every
// request on 127.0.0.1 while exercising exactly the code path a real account takes.
const e2e = useE2eCloud('resilient-e2e-aws-', 0.05);
const runs = tempDir('resilient-e2e-aws-runs-');
afterAll(() => runs.remove());

describe('--target aws', () => {
  it('with no credentials at all: a clear error before anything is created, exit 1', async () => {
    const result = await spawnCli(awsStartArgs('nocreds', runs.path), { env: awsTargetEnv(e2e) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AWS rejected or could not find credentials');
    expect(result.stderr).toContain('configure credentials');
    expect(existsSync(path.join(runs.path, 'nocreds.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'nocreds')).toEqual([]);
  });

  it('with rejected credentials: a clear error before anything is created, exit 1', async () => {
    const result = await spawnCli(awsStartArgs('badcreds', runs.path), {
      env: awsTargetEnv(e2e, {
        extra: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
      }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AWS rejected or could not find credentials');
    expect(existsSync(path.join(runs.path, 'badcreds.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'badcreds')).toEqual([]);
  });

  it('hello lists the load balancers through the default credential chain', async () => {
    const admin = readAdminCredentials(daemonPaths(e2e.state.path));
    const result = await spawnCli(['hello', '--target', 'aws', '--region', 'us-west-2'], {
      env: awsTargetEnv(e2e, {
        extra: {
          AWS_ACCESS_KEY_ID: admin?.accessKeyId ?? '',
          AWS_SECRET_ACCESS_KEY: admin?.secretAccessKey ?? '',
        },
      }),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    expect(result.stdout).toContain('in us-west-2');
  });
});
