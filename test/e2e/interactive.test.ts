import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, baseEnv, killLeftovers, ROOT, tempDir } from '../_support/cli.ts';
import { leftovers } from '../_support/leftovers.ts';
import { type E2eCloud, startCloudViaCli } from '../_support/local-cloud.ts';
import { startTmux, type TmuxSession } from '../_support/tmux.ts';

const config = tempDir();
const state = tempDir('resilient-e2e-tty-');
let cloud: E2eCloud;
let session: TmuxSession | undefined;

beforeAll(async () => {
  cloud = await startCloudViaCli(state.path, config.path, 0.05);
});
afterEach(() => {
  session?.kill();
  session = undefined;
});
afterAll(async () => {
  killLeftovers();
  await cloud?.stop();
  config.remove();
  state.remove();
});

const MENU = 'Which action would you like to take?';

describe('an interactive run in a real terminal (tmux)', () => {
  it('asks to start, shows the menu after each of the seven stages, answers GET and health, asks before destroying', async () => {
    const env = baseEnv(config.path);
    session = startTmux(
      [process.execPath, BIN, 'start', '--name', 'tty', '--time-scale', '0.05', '--state-dir', state.path],
      { RESILIENT_CONFIG_DIR: config.path, TERM: 'xterm-256color', HOME: env['HOME'] ?? '/tmp' },
      ROOT,
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
    expect(await leftovers(cloud.clients, 'tty')).toEqual([]);
  }, 300_000);
});
