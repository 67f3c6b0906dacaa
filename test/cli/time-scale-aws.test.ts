import { afterAll, describe, expect, it } from 'vitest';
import { mergeRunOptions } from '../../src/cli/run-options.ts';
import { startRun } from '../../src/run/index.ts';
import { stepPolicies } from '../../src/run/policies.ts';
import { baseEnv, spawnCli, tempDir } from '../_support/cli.ts';
import { recordingHost } from '../_support/recording-host.ts';

const config = tempDir();
const state = tempDir();
afterAll(() => {
  config.remove();
  state.remove();
});

describe('the time scale is local only: AWS deadlines never shrink', () => {
  it('--time-scale with --target aws is a usage error (exit 2), before any AWS call', async () => {
    const result = await spawnCli(
      ['start', '--target', 'aws', '--time-scale', '0.05', '--yes', '--state-dir', state.path],
      { env: baseEnv(config.path) },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --time-scale applies to the local cloud only/);
    expect(result.stderr).not.toContain('credentials');
  });

  it('a stored timeScale is ignored for aws with a one-line notice, and still applies to local', () => {
    const aws = mergeRunOptions({ target: 'aws' }, { timeScale: 0.05 }, {});
    expect(aws.timeScale).toBe(1);
    expect(aws.notice).toBe(
      'The stored setting timeScale=0.05 applies to the local cloud only; ignored for --target aws.',
    );
    expect(mergeRunOptions({ target: 'aws' }, { target: 'aws', timeScale: 1 }, {}).notice).toBeUndefined();
    const local = mergeRunOptions({}, { timeScale: 0.05 }, {});
    expect(local.timeScale).toBe(0.05);
    expect(local.notice).toBeUndefined();
  });

  it('the run API refuses a scaled run on AWS itself, whoever calls it', async () => {
    await expect(
      startRun({
        stateDir: state.path,
        host: recordingHost(),
        name: 'scaled',
        target: 'aws',
        region: 'us-west-2',
        yes: true,
        keep: false,
        timeScale: 0.05,
      }),
    ).rejects.toThrow(/--time-scale applies to the local cloud only/);
  });

  it("AWS's deadlines are the unscaled ones", () => {
    expect(stepPolicies(1).lbProvisioning?.timeoutMs).toBe(600_000);
    expect(stepPolicies(1).deletingGroup?.timeoutMs).toBe(900_000);
  });
});
