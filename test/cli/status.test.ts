import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';
import { assertStatusDocument } from '../_support/status-schema.ts';

const config = tempDir();
const state = tempDir('resilient-status-');
afterEach(killLeftovers);
afterAll(() => {
  config.remove();
  state.remove();
});

describe('status without a run', () => {
  it('--json prints a schema-valid document that says there is no run, exit 0', async () => {
    const result = await spawnCli(['status', '--name', 'nothing', '--state-dir', state.path, '--json'], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    assertStatusDocument(doc);
    expect(doc).toMatchObject({ name: 'nothing', exists: false, target: null, resources: [] });
    expect(doc.targetHealth).toEqual({ available: false, reason: 'no run' });
  });

  it('in text, says so and how to start one', async () => {
    const result = await spawnCli(['status', '--name', 'nothing', '--state-dir', state.path], {
      env: baseEnv(config.path),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No run named 'nothing'");
    expect(result.stdout).toContain('resilient start');
  });
});
