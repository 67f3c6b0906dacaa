/**
 * `resilient start --target aws --yes` against the local cloud, through nothing but the SDK's own
 * settings (AWS_ENDPOINT_URL, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_PROFILE): exactly the code
 * path a real account takes — the account and cost notice, preflight, AWS's own deadlines and polling
 * (no time scale), the user data, the seven verified stages and destroy. The local cloud runs at time
 * scale 1 for it, as AWS would; the demo-sized deregistration delay (30 s) keeps that to minutes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';
import { leftovers } from '../_support/leftovers.ts';
import { type E2eCloud, startCloudViaCli } from '../_support/local-cloud.ts';

const config = tempDir();
const state = tempDir('resilient-e2e-awsrun-');
const runs = tempDir('resilient-e2e-awsrun-runs-');
let cloud: E2eCloud;

beforeAll(async () => {
  cloud = await startCloudViaCli(state.path, config.path, 1);
});
afterAll(async () => {
  killLeftovers();
  await cloud?.stop();
  config.remove();
  state.remove();
  runs.remove();
});

describe('--target aws against the local cloud at time scale 1', () => {
  it('runs what a real account gets: notice, preflight, seven verified stages, destroy; exit 0, nothing left', async () => {
    const local = path.join(state.path, 'local');
    const result = await spawnCli(
      [
        'start',
        '--target',
        'aws',
        '--region',
        'us-west-2',
        '--yes',
        '--name',
        'awsrun',
        '--state-dir',
        runs.path,
      ],
      {
        env: {
          ...baseEnv(config.path),
          AWS_ENDPOINT_URL: cloud.endpoint,
          AWS_SHARED_CREDENTIALS_FILE: path.join(local, 'credentials'),
          AWS_CONFIG_FILE: path.join(local, 'config'),
          AWS_PROFILE: 'resilient-local',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        deadlineMs: 1_080_000,
      },
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/AWS account \d{12}, Region us-west-2/);
    expect(result.stdout).toContain('they cost money until destroyed');
    for (let stage = 1; stage <= 7; stage++)
      expect(result.stdout).toContain(`Stage ${stage} verification: PASS`);
    expect(result.stdout).not.toContain('verification: FAIL');
    expect(result.stdout).toContain('Swept by tag and name: nothing of this deployment is left.');
    expect(existsSync(path.join(runs.path, 'awsrun.json'))).toBe(false);
    expect(await leftovers(cloud.clients, 'awsrun')).toEqual([]);
  }, 1_200_000);
});
