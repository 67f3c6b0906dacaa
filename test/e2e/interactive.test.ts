import { describe, expect, it } from 'vitest';
import { BIN } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';
import { terminalEnv, useTmux } from '../_support/tmux.ts';

const e2e = useE2eCloud('resilient-e2e-tty-', 0.05);
const { config, state } = e2e;
const tmux = useTmux();

const MENU = 'Which action would you like to take?';

describe('an interactive run in a real terminal (tmux)', () => {
  it('asks to start, shows the menu after each of the seven stages, answers GET and health, asks before destroying', async () => {
    const session = tmux.open(
      [process.execPath, BIN, 'start', '--name', 'tty', '--time-scale', '0.05', '--state-dir', state.path],
      terminalEnv(config.path),
    );
    await session.waitForCount('Ready to start deploying resources?', 1, 30_000);
    session.send('Enter');

    await session.waitForCount(MENU, 1, 90_000);
    session.send('1');
    session.send('Enter');
    const afterGet = await session.waitForCount('Response:', 1, 30_000);
    expect(afterGet).toMatch(/Response:\n\n200\n\{\n {2}"MediaType"/);

    await session.waitForCount(MENU, 2, 30_000);
    session.send('2');
    session.send('Enter');
    const afterHealth = await session.waitForCount(
      'Checking the health of load balancer targets:',
      1,
      30_000,
    );
    expect(afterHealth.match(/Target i-[0-9a-f]+ on port 80 is healthy/g)?.length).toBe(3);

    // "3. Go to the next part of the demo" through the seven stages.
    for (let stage = 1; stage <= 7; stage++) {
      await session.waitForCount(MENU, 2 + stage, 90_000);
      session.send('3');
      session.send('Enter');
      if (stage < 7) await session.waitForCount(`Stage ${stage + 1}:`, 1, 90_000);
    }
    await session.waitForCount('Do you want to clean up all demo resources?', 1, 90_000);
    session.send('y');
    const end = await session.waitForCount('EXIT=', 1, 120_000);
    expect(end).toContain('Thanks for watching!');
    expect(end).toContain('EXIT=0');
    expect(await leftovers(e2e.cloud.clients, 'tty')).toEqual([]);
  }, 300_000);
});
