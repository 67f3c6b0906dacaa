/**
 * Ctrl+C at any prompt, in a real terminal (tmux), on Node 24 and on Node 22 (enquirer cancels a prompt
 * differently on each: an uncaught ERR_USE_AFTER_CLOSE from Node 24.2, a rejection before): one
 * message, the next steps, exit 130, no stack trace. At the first question nothing exists yet; at the
 * demo menu the run is checkpointed and the steps name it: resume or destroy, with --name.
 * Node 22 is the one CI fetches (`RESILIENT_NODE22`, or ~/.cache/resilient-node22, as .ci/run puts it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, baseEnv, spawnCli, tempDir } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';
import { NO_STACK, NODES } from '../_support/node-majors.ts';
import { terminalEnv, useTmux } from '../_support/tmux.ts';

const e2e = useE2eCloud('resilient-e2e-ctrlc-', 0.05);
const { config, state } = e2e;
const tmux = useTmux();

const terminal = () => terminalEnv(config.path);

describe.each(NODES)('Ctrl+C at a prompt on Node %s', (version, node) => {
  const name = `c${version.split('.')[0]?.replace('v', '')}`;

  it('at the first question: nothing was created, exit 130', async () => {
    const fresh = tempDir('resilient-ctrlc-first-');
    try {
      const session = tmux.open([node, BIN, 'start', '--name', name, '--state-dir', fresh.path], terminal());
      await session.waitFor(/Ready to start deploying resources\?/);
      session.send('C-c');
      const end = await session.waitFor(/EXIT=\d+/);
      expect(end).toContain('Cancelled. Nothing was created.');
      expect(end).toContain('EXIT=130');
      expect(end).not.toMatch(NO_STACK);
      expect(existsSync(path.join(fresh.path, 'local'))).toBe(false);
    } finally {
      fresh.remove();
    }
  });

  it("at the demo menu: the run's name and its next steps, resume or destroy, exit 130", async () => {
    const session = tmux.open(
      [node, BIN, 'start', '--name', name, '--time-scale', '0.05', '--state-dir', state.path],
      terminal(),
    );
    await session.waitForCount('Ready to start deploying resources?', 1, 30_000);
    session.send('Enter');
    await session.waitForCount('Which action would you like to take?', 1, 120_000);
    session.send('C-c');
    const end = await session.waitFor(/EXIT=\d+/, 30_000);
    expect(end).toContain(`Interrupted. The run '${name}' is checkpointed in`);
    expect(end).toContain(`resilient resume --name ${name}`);
    expect(end).toContain(`resilient destroy --name ${name}`);
    expect(end).toContain('EXIT=130');
    expect(end).not.toMatch(NO_STACK);
    // The checkpoint is good: the next step it names works and leaves nothing.
    const destroyed = await spawnCli(['destroy', '--yes', '--name', name, '--state-dir', state.path], {
      env: baseEnv(config.path),
      deadlineMs: 120_000,
    });
    expect(destroyed.code).toBe(0);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 240_000);
});
