import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../_support/cli.ts';
import { terminalEnv, useTmux } from '../_support/tmux.ts';

const config = tempDir();
const tmux = useTmux();
afterAll(() => config.remove());

const env = () => terminalEnv(config.path);

/** A colour or attribute escape sequence (Select Graphic Rendition). */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

describe('in a real terminal (tmux)', () => {
  it('the demo menu takes digits and Enter, then the destroy confirmation takes y', async () => {
    const session = tmux.open([process.execPath, BIN, 'prompt-demo'], env());
    await session.waitFor(/Which action would you like to take\?/);
    const menu = session.screen();
    expect(menu).toContain('See the current state of the service by selecting one of the following choices:');
    expect(menu).toContain('1. Send a GET request to the load balancer endpoint.');
    expect(menu).toContain('2. Check the health of load balancer targets.');
    expect(menu).toContain('3. Go to the next part of the demo.');
    session.send('1');
    session.send('Enter');
    await session.waitFor(/chose: get/);
    session.send('2');
    session.send('Enter');
    await session.waitFor(/chose: health/);
    session.send('3');
    session.send('Enter');
    await session.waitFor(/Do you want to clean up all demo resources\?/);
    session.send('y');
    const end = await session.waitFor(/EXIT=\d+/);
    expect(end).toContain('destroy: yes');
    expect(end).toContain('EXIT=0');
  });

  it('the menu is coloured on a terminal, and not under NO_COLOR', async () => {
    let session = tmux.open([process.execPath, BIN, 'prompt-demo'], env());
    await session.waitFor(/Which action would you like to take\?/);
    expect(session.screen(true)).toMatch(SGR);
    session = tmux.open([process.execPath, BIN, 'prompt-demo'], { ...env(), NO_COLOR: '1' });
    await session.waitFor(/Which action would you like to take\?/);
    expect(session.screen(true)).not.toMatch(SGR);
  });

  it('declining to start creates nothing, not even the local cloud, and exits 0', async () => {
    const state = tempDir('resilient-decline-');
    try {
      const session = tmux.open([process.execPath, BIN, 'start', '--state-dir', state.path], env());
      await session.waitFor(/Ready to start deploying resources\?/);
      session.send('n');
      const end = await session.waitFor(/EXIT=\d+/);
      expect(end).toContain('Nothing was created.');
      expect(end).toContain('EXIT=0');
      expect(existsSync(path.join(state.path, 'local'))).toBe(false);
      expect(existsSync(path.join(state.path, 'demo.json'))).toBe(false);
    } finally {
      state.remove();
    }
  });

  it('Ctrl+C at the menu exits 130 cleanly, without a stack trace', async () => {
    const session = tmux.open([process.execPath, BIN, 'prompt-demo'], env());
    await session.waitFor(/Which action would you like to take\?/);
    session.send('C-c');
    const end = await session.waitFor(/EXIT=\d+/);
    expect(end).toContain('Cancelled.');
    expect(end).toContain('EXIT=130');
    expect(end).not.toMatch(/ERR_USE_AFTER_CLOSE|at .*\.js:\d+/);
  });
});
