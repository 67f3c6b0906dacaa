/**
 * `resilient start --target aws --yes` against the local cloud, through nothing but the SDK's own
 * settings (AWS_ENDPOINT_URL, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_PROFILE): exactly the code
 * path a real account takes — the account and cost notice, preflight, AWS's own deadlines and polling
 * (no time scale), the user data, the seven verified stages and destroy. The local cloud runs at time
 * scale 1 for it, as AWS would; the demo-sized deregistration delay (30 s) keeps that to minutes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, tempDir } from '../_support/cli.ts';
import { awsStartArgs, awsTargetEnv, useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

const e2e = useE2eCloud('resilient-e2e-awsrun-', 1);
const runs = tempDir('resilient-e2e-awsrun-runs-');
afterAll(() => runs.remove());

describe('--target aws against the local cloud at time scale 1', () => {
  it('runs what a real account gets: notice, preflight, seven verified stages, destroy; exit 0, nothing left', async () => {
    const result = await spawnCli(awsStartArgs('awsrun', runs.path), {
      env: awsTargetEnv(e2e, { profile: 'resilient-local' }),
      deadlineMs: 1_080_000,
    });
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toMatch(/AWS account \d{12}, Region us-west-2/);
    expect(result.stdout).toContain('they cost money until destroyed');
    for (let stage = 1; stage <= 7; stage++)
      expect(result.stdout).toContain(`Stage ${stage} verification: PASS`);
    expect(result.stdout).not.toContain('verification: FAIL');
    expect(result.stdout).toContain('Swept by tag and name: nothing of this deployment is left.');
    expect(existsSync(path.join(runs.path, 'awsrun.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'awsrun')).toEqual([]);
  }, 1_200_000);
});
