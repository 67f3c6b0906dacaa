/**
 * The set-up of an end-to-end test file: a config dir, a state dir and a local cloud started in it
 * through the CLI (`startCloudViaCli`) before the file's tests, and after them every CLI child left
 * behind killed, the cloud stopped and the dirs removed. `useE2eCloud` registers those hooks, so call it
 * at the top level of the test file. `awsTargetEnv` is the environment of `--target aws` pointed at
 * that cloud through nothing but the SDK's own settings.
 */
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { baseEnv, killLeftovers, type TempDir, tempDir } from './cli.ts';
import { type E2eCloud, startCloudViaCli } from './local-cloud.ts';

export interface E2eFixture {
  /** The CLI's config dir (`RESILIENT_CONFIG_DIR`). */
  readonly config: TempDir;
  /** The state dir: the cloud's files in `local/`, and the default `--state-dir` of the file's runs. */
  readonly state: TempDir;
  /** The running cloud (from `beforeAll` on). */
  readonly cloud: E2eCloud;
  /** `baseEnv` on this file's config dir. */
  env(): Record<string, string>;
}

export function useE2eCloud(statePrefix: string, timeScale: number): E2eFixture {
  const config = tempDir();
  const state = tempDir(statePrefix);
  let cloud: E2eCloud | undefined;
  // A hang detector only: `local start` has its own 30 s deadline, and the machine may be busy.
  beforeAll(async () => {
    cloud = await startCloudViaCli(state.path, config.path, timeScale);
  }, 90_000);
  afterAll(async () => {
    killLeftovers();
    await cloud?.stop();
    config.remove();
    state.remove();
  });
  return {
    config,
    state,
    get cloud(): E2eCloud {
      if (cloud === undefined)
        throw new Error('the e2e cloud is not started yet (use it from a test or hook)');
      return cloud;
    },
    env: () => baseEnv(config.path),
  };
}

/**
 * `--target aws` on the fixture's cloud: AWS_ENDPOINT_URL and no instance metadata. With `profile`, the
 * credentials and config files the daemon wrote and that profile, as a user of the local cloud sets
 * them; without, credentials files that do not exist, so only `extra` (keys, say) can supply any.
 */
export function awsTargetEnv(
  fixture: E2eFixture,
  options: { readonly profile?: string; readonly extra?: Record<string, string> } = {},
): Record<string, string> {
  const files =
    options.profile === undefined
      ? { dir: fixture.state.path, credentials: 'no-credentials', config: 'no-config' }
      : { dir: path.join(fixture.state.path, 'local'), credentials: 'credentials', config: 'config' };
  return {
    ...fixture.env(),
    AWS_ENDPOINT_URL: fixture.cloud.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: path.join(files.dir, files.credentials),
    AWS_CONFIG_FILE: path.join(files.dir, files.config),
    ...(options.profile === undefined ? {} : { AWS_PROFILE: options.profile }),
    ...options.extra,
  };
}

/** `start --target aws --yes` in `region` for deployment `name`, its checkpoint in `stateDir`. */
export function awsStartArgs(name: string, stateDir: string, region = 'us-west-2'): string[] {
  return ['start', '--target', 'aws', '--region', region, '--yes', '--name', name, '--state-dir', stateDir];
}
