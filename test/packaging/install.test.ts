/**
 * The npm package as a user gets it: `npm pack` (prepack builds dist/), `npm install -g --prefix` of
 * the tarball, then the installed `resilient` — run from node_modules, outside any checkout, so every
 * module it loads is the built JavaScript (Node refuses to strip types under node_modules) — deploys,
 * verifies the seven stages and destroys on its own local cloud, leaving nothing. `npx --package`
 * runs the same tarball. Needs the npm registry for the dependencies, as `npm ci` does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients } from '../../src/aws/clients.ts';
import { localCloudStatus } from '../../src/local/daemon/control.ts';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { baseEnv, ROOT, tempDir } from '../_support/cli.ts';
import { leftovers } from '../_support/leftovers.ts';

const work = tempDir('resilient-package-');
const prefix = path.join(work.path, 'prefix');
const stateDir = path.join(work.path, 'state');
const outside = path.join(work.path, 'elsewhere');
let tarball = '';

/** The environment of a user's shell: this Node first on PATH, no project settings, own config dir. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = baseEnv(path.join(work.path, 'config'));
  env['PATH'] = `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:${env['PATH'] ?? ''}`;
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  return { ...env, XDG_DATA_HOME: path.join(work.path, 'xdg'), ...extra };
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 180_000) {
  const r = spawnSync(command, args, { cwd, env: userEnv(), encoding: 'utf8', timeout: timeoutMs });
  if (r.error !== undefined) throw r.error;
  return r;
}

function runAsync(command: string, args: readonly string[], cwd: string, deadlineMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${command} ${args.join(' ')} did not exit in ${deadlineMs} ms\n${stdout}\n${stderr}`),
      );
    }, deadlineMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(() => {
  spawnSync('mkdir', ['-p', outside, stateDir]);
  const packed = run('npm', ['pack', '--silent', '--pack-destination', work.path], ROOT);
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stdout}\n${packed.stderr}`);
  const name = packed.stdout.trim().split('\n').pop() ?? '';
  tarball = path.join(work.path, name);
  const installed = run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel', 'error', tarball],
    outside,
  );
  if (installed.status !== 0)
    throw new Error(`npm install -g failed:\n${installed.stdout}\n${installed.stderr}`);
}, 300_000);

afterAll(async () => {
  // Whatever happened, no local cloud of this test outlives it.
  if ((await localCloudStatus({ stateDir })).running) {
    run(path.join(prefix, 'bin', 'resilient'), ['local', 'stop', '--state-dir', stateDir], outside, 60_000);
  }
  work.remove();
}, 90_000);

describe('the npm package', () => {
  it('ships only what runs: the built JavaScript, the launcher, the server sources user data embeds', () => {
    const list = run('tar', ['-tzf', tarball], work.path).stdout.trim().split('\n');
    const files = list.map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('src/cli/bin.js');
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('machines/'))).toEqual([]);
    const typescript = files.filter((f) => f.endsWith('.ts'));
    expect(typescript.every((f) => /^src\/server\/[^/]+\.ts$/.test(f))).toBe(true);
    expect(statSync(tarball).size).toBeLessThan(1024 * 1024);
  });

  it('installs with npm install -g --prefix and runs from node_modules, its state in the XDG data dir', () => {
    const bin = path.join(prefix, 'bin', 'resilient');
    const version = run(bin, ['--version'], outside);
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const status = run(bin, ['status', '--json'], outside);
    expect(status.status).toBe(0);
    const doc = JSON.parse(status.stdout) as { stateDir: string; exists: boolean };
    expect(doc.stateDir).toBe(path.join(work.path, 'xdg', 'resilient'));
    expect(doc.exists).toBe(false);
    // Built JavaScript only: nothing installed is TypeScript that Node would have to strip.
    const installed = path.join(prefix, 'lib', 'node_modules', 'resilient');
    expect(existsSync(path.join(installed, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(readdirSync(path.join(installed, 'src', 'cli'))).toEqual(['bin.js', 'node-runtime.js']);
    // What the built code reads next to itself (the report's stylesheet, the live page's script) is there.
    for (const asset of [
      'src/report/view.css',
      'src/report/view.js',
      'src/report/view-model.js',
      'src/watch/live.js',
      'resources/experiment.schema.json',
      'resources/experiments/seven-stages.yaml',
    ]) {
      if (existsSync(path.join(ROOT, asset)))
        expect(existsSync(path.join(installed, 'dist', asset))).toBe(true);
    }
    // The installed copy finds its schema and its example experiments (it once looked for them at the
    // package root, where only a checkout has them).
    const example = path.join(installed, 'dist', 'resources', 'experiments', 'hang-one-instance.yaml');
    const validated = run(bin, ['drill', 'validate', example], outside);
    expect(validated.stderr).toBe('');
    expect(validated.status).toBe(0);
  });

  it('the installed copy runs start --yes --time-scale 0.05 on its own local cloud: exit 0, nothing left', async () => {
    const bin = path.join(prefix, 'bin', 'resilient');
    const result = await runAsync(
      bin,
      ['start', '--yes', '--time-scale', '0.05', '--port', '0', '--name', 'pkg', '--state-dir', stateDir],
      outside,
      240_000,
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout}\n${result.stderr}`);
    for (let stage = 1; stage <= 7; stage++) {
      expect(result.stdout).toContain(`Stage ${stage} verification: PASS`);
    }
    expect(result.stdout).toContain('nothing of this deployment is left');
    expect(existsSync(path.join(stateDir, 'pkg.json'))).toBe(false);
    // Asked of the cloud itself, not of the CLI's word.
    const status = await localCloudStatus({ stateDir });
    const credentials = readAdminCredentials(daemonPaths(stateDir));
    if (status.endpoint === undefined || credentials === undefined)
      throw new Error('no local cloud left to ask');
    const clients = createClients({
      region: 'us-west-2',
      endpoint: status.endpoint,
      credentials,
      maxAttempts: 2,
    });
    try {
      expect(await leftovers(clients, 'pkg')).toEqual([]);
    } finally {
      clients.destroy();
    }
    const stopped = run(bin, ['local', 'stop', '--state-dir', stateDir], outside, 60_000);
    expect(stopped.status).toBe(0);
    expect((await localCloudStatus({ stateDir })).running).toBe(false);
  }, 300_000);

  it('npx --package <tarball> resilient runs it too', () => {
    const r = run(
      'npx',
      ['--yes', '--cache', path.join(work.path, 'npm-cache'), '--package', tarball, 'resilient', '--version'],
      outside,
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000);
});
