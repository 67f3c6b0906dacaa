/**
 * README's commands on a machine whose Node is older than 22.18 (CI's system Node is 20): bin.js and
 * with-node.js check the version before importing anything newer, hand over to the Node 24 of the
 * user's cache (pre-seeded here with the Node running this test, so nothing is downloaded), say so in
 * one line, and pass the exit code through; without such a Node they print one line saying what to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, tempDir } from '../_support/cli.ts';

const OLD_NODE = '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE)
  ? spawnSync(OLD_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()
  : '';
const [major = 0, minor = 0] = oldVersion.replace(/^v/, '').split('.').map(Number);
const haveOldNode = oldVersion !== '' && (major < 22 || (major === 22 && minor < 18));

const cache = tempDir('resilient-node-cache-');
mkdirSync(path.join(cache.path, 'package', 'bin'), { recursive: true });
symlinkSync(process.execPath, path.join(cache.path, 'package', 'bin', 'node'));
const empty = tempDir('resilient-node-empty-');
afterAll(() => {
  cache.remove();
  empty.remove();
});

function runOld(args: readonly string[], env: Record<string, string>) {
  return spawnSync(OLD_NODE, args, {
    cwd: ROOT,
    encoding: 'utf8',
    // Only the old Node on PATH: no Node >= 22.18 may be found by accident.
    env: { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...env },
    timeout: 60_000,
  });
}

describe.skipIf(!haveOldNode)(`on ${oldVersion || 'an old Node'} (${OLD_NODE})`, () => {
  it('bin.js hands over to the cached Node 24, says so in one line, and prints what the CLI prints', () => {
    const r = runOld([BIN, '--version'], { RESILIENT_NODE_DIR: cache.path });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node.js ${oldVersion} is older than the 22.18 resilient needs`);
    expect(lines[0]).toContain(`with Node ${process.version}`);
  });

  it("passes the CLI's exit code through (a usage error is 2)", () => {
    const r = runOld([BIN, 'start', '--bogus'], { RESILIENT_NODE_DIR: cache.path });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });

  it('with-node.js runs a development command with the cached Node first on PATH', () => {
    const r = runOld([path.join(ROOT, 'src/cli/with-node.js'), 'node', '-p', 'process.version'], {
      RESILIENT_NODE_DIR: cache.path,
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(process.version);
    expect(r.stderr).toContain("running 'node' with Node");
  });

  it('without a Node to hand over to: one line with the version needed and what to do, exit 1, no stack', () => {
    const r = runOld([BIN, 'start'], { RESILIENT_NODE_DIR: empty.path, RESILIENT_NODE_DOWNLOAD: '0' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`this is Node.js ${oldVersion} and resilient needs >= 22.18`);
    expect(lines[0]).toContain('Install Node.js 24');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
