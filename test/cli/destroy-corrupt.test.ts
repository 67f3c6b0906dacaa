import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, spawnCli, tempDir } from '../_support/cli.ts';

const config = tempDir();
const state = tempDir();
afterAll(() => {
  config.remove();
  state.remove();
});

describe('destroy --name with a corrupt checkpoint', () => {
  it('does not stop at the file: it goes on to sweep by name and tag (here up to the credentials check)', async () => {
    const file = path.join(state.path, 'broken.json');
    writeFileSync(file, '{"schema": 2, "name": "broken", "led');
    const result = await spawnCli(
      [
        'destroy',
        '--name',
        'broken',
        '--target',
        'aws',
        '--region',
        'us-west-2',
        '--yes',
        '--state-dir',
        state.path,
      ],
      {
        env: {
          ...baseEnv(config.path),
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
          AWS_SHARED_CREDENTIALS_FILE: path.join(state.path, 'none'),
          AWS_CONFIG_FILE: path.join(state.path, 'none'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(result.stdout).toContain(`The checkpoint ${file} is unreadable`);
    expect(result.stdout).toContain("No checkpoint for 'broken'");
    expect(result.stderr).not.toContain('not valid JSON');
    expect(result.code).toBe(1); // no credentials: nothing could be swept, and it says so
    expect(result.stderr).toContain('credentials');
    expect(existsSync(file)).toBe(true); // untouched until the run API can sweep
  });
});
