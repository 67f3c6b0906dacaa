/**
 * Ctrl+C at the demo menu, in a real terminal (tmux), is the run's first Ctrl+C, as a SIGINT is: the
 * drill's rollbacks run before the stop (docs/architecture.md#interrupts). In a terminal the keypress is
 * no SIGINT: enquirer cancels its prompt, by rejecting (Node < 24.2) or with an uncaught
 * ERR_USE_AFTER_CLOSE and a promise that never settles (Node >= 24.2), so both Node majors are run:
 * this one and Node 22 (`RESILIENT_NODE22`, or ~/.cache/resilient-node22, as .ci/run puts it).
 * After stage 2 the table parameter names a table that does not exist; the rollback restores it, the
 * CLI says what any interrupted run says and exits 130, and `resume --yes` runs the method anew and
 * leaves nothing. A second Ctrl+C while the rollback's call hangs (the local cloud stopped with
 * SIGSTOP) is a SIGINT again — the menu gave the terminal back — and quits at once; the checkpoint
 * still says the rollbacks are due, and the resume runs them first.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { localCloudStatus } from '../../src/local/daemon/control.ts';
import { resourceNames } from '../../src/names.ts';
import { BIN, baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';
import { NO_STACK, NODES } from '../_support/node-majors.ts';
import { terminalEnv, useTmux } from '../_support/tmux.ts';

const e2e = useE2eCloud('resilient-e2e-menu-ctrlc-', 0.05);
const { config, state } = e2e;
const tmux = useTmux();

const MENU = 'Which action would you like to take?';

const tableParameter = async (name: string): Promise<string | undefined> => {
  const names = resourceNames(name);
  const got = await e2e.cloud.clients.ssm.send(new GetParameterCommand({ Name: names.parameters.table }));
  return got.Parameter?.Value;
};

/** Until the drill has broken the table parameter: the menu after stage 2 is on screen. */
async function startToStage2Menu(node: string, name: string) {
  const session = tmux.open(
    [node, BIN, 'start', '--name', name, '--time-scale', '0.05', '--state-dir', state.path],
    terminalEnv(config.path),
  );
  await session.waitForCount('Ready to start deploying resources?', 1, 30_000);
  session.send('Enter');
  await session.waitForCount(MENU, 1, 120_000);
  session.send('3');
  session.send('Enter');
  await session.waitForCount('Stage 2:', 1, 90_000);
  await session.waitForCount(MENU, 2, 90_000);
  // Stage 2 broke the table parameter: the state the rollback must undo.
  expect(await tableParameter(name)).toBe('this-is-not-a-table');
  return session;
}

async function resumeLeavesNothing(name: string) {
  const resumed = await spawnCli(['resume', '--yes', '--name', name, '--state-dir', state.path], {
    env: baseEnv(config.path),
    deadlineMs: 240_000,
  });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
}

describe.each(NODES)('Ctrl+C at the demo menu on Node %s', (version, node) => {
  const major = version.split('.')[0]?.replace('v', '') ?? '';
  const name = `m${major}`;

  it('rolls the drill back (the broken table parameter is restored), exits 130 with the next steps; resume --yes passes and leaves nothing', async () => {
    const session = await startToStage2Menu(node, name);

    session.send('C-c');
    const end = await session.waitForCount('EXIT=', 1, 60_000);
    expect(end).toContain('Stopping after the call in flight');
    expect(end).toContain(`Interrupted. The run '${name}' is checkpointed in`);
    expect(end).toContain(`resilient resume --name ${name}`);
    expect(end).toContain(`resilient destroy --name ${name}`);
    expect(end).toContain('EXIT=130');
    expect(end).not.toMatch(NO_STACK);
    expect(await tableParameter(name)).toBe(resourceNames(name).table);

    await resumeLeavesNothing(name);
  }, 420_000);

  it('a second Ctrl+C while the rollback runs quits at once, exit 130; resume runs the rollbacks first, passes and leaves nothing', async () => {
    const twice = `q${major}`;
    const session = await startToStage2Menu(node, twice);
    const daemon = (await localCloudStatus({ stateDir: state.path })).pid;
    expect(daemon).toBeDefined();
    // The rollback's PutParameter hangs while the local cloud is stopped (the SDK waits up to 30 s).
    process.kill(daemon as number, 'SIGSTOP');
    try {
      session.send('C-c');
      await session.waitForCount('Ctrl+C: rolling back before stopping', 1, 15_000);
      session.send('C-c');
      const end = await session.waitForCount('EXIT=', 1, 15_000);
      expect(end).toContain('Quit. The checkpoint is still valid');
      expect(end).toContain('EXIT=130');
      expect(end).not.toMatch(NO_STACK);
    } finally {
      process.kill(daemon as number, 'SIGCONT');
    }
    expect(await tableParameter(twice)).toBe('this-is-not-a-table');
    await resumeLeavesNothing(twice);
  }, 420_000);
});
