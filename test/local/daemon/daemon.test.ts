import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { localCloudStatus, startLocalCloud, stopLocalCloud } from '../../../src/local/daemon/control.ts';
import { ensureAdminCredentials, readAdminCredentials } from '../../../src/local/daemon/credentials.ts';
import { type DaemonRecord, daemonPaths } from '../../../src/local/daemon/files.ts';
import { identify, pidExists } from '../../../src/process-identity.ts';
import { localClient } from '../../_support/local-cloud.ts';

let stateDir: string | undefined;
afterEach(async () => {
  if (stateDir !== undefined) {
    await stopLocalCloud({ stateDir, timeoutMs: 10_000 });
    await rm(stateDir, { recursive: true, force: true });
  }
  stateDir = undefined;
});

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

describe('local cloud daemon', () => {
  it('starts in the background, reports itself, refuses a second start, stops, and restores state on restart', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'resilient-daemon-'));
    const first = await startLocalCloud({ stateDir, port: 0, timeScale: 0.01 });
    expect(first.kind).toBe('started');
    const status = await localCloudStatus({ stateDir });
    expect(status).toMatchObject({
      running: true,
      region: 'us-west-2',
      accountId: '123456789012',
      profile: 'resilient-local',
      timeScale: 0.01,
    });
    expect(status.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const paths = daemonPaths(stateDir);
    // The record names the daemon by its identity, not by its pid alone.
    const record = JSON.parse(await readFile(paths.daemonFile, 'utf8')) as DaemonRecord;
    expect(record).toMatchObject(identify(status.pid ?? 0));
    expect(record.startTime).toMatch(/^\d+$/);
    expect(statSync(paths.credentialsFile).mode & 0o777).toBe(0o600);
    const ini = await readFile(paths.credentialsFile, 'utf8');
    expect(ini).toMatch(
      /^\[resilient-local\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S+\n\n\[resilient-local-b\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S+\n$/,
    );
    const config = await readFile(paths.configFile, 'utf8');
    expect(config).toContain('[profile resilient-local]\nregion = us-west-2');
    expect(config).toContain('[profile resilient-local-b]\nregion = us-west-2');
    expect(status.accounts).toEqual([
      { profile: 'resilient-local', accountId: '123456789012' },
      { profile: 'resilient-local-b', accountId: '111122223333' },
    ]);
    expect(status.regions).toEqual(expect.arrayContaining(['us-west-2', 'us-east-1', 'eu-west-1']));
    const admin = readAdminCredentials(paths);
    if (admin === undefined) throw new Error('no admin credentials');

    const target = { endpoint: status.endpoint ?? '', region: 'us-west-2', credentials: admin };
    await localClient(IAMClient, target).send(
      new CreateRoleCommand({ RoleName: 'daemon-role', AssumeRolePolicyDocument: trust }),
    );

    const second = await startLocalCloud({ stateDir, port: 0 });
    expect(second).toMatchObject({ kind: 'already-running', status: { pid: status.pid } });

    expect(await stopLocalCloud({ stateDir })).toEqual({ wasRunning: true, forced: false });
    expect((await localCloudStatus({ stateDir })).running).toBe(false);
    expect(await stopLocalCloud({ stateDir })).toEqual({ wasRunning: false, forced: false });

    const again = await startLocalCloud({ stateDir, port: 0 });
    expect(again.kind).toBe('started');
    const restarted = { endpoint: again.status.endpoint ?? '', region: 'us-west-2', credentials: admin };
    const role = await localClient(IAMClient, restarted).send(
      new GetRoleCommand({ RoleName: 'daemon-role' }),
    );
    expect(role.Role?.RoleName).toBe('daemon-role');
    expect(await readFile(paths.logFile, 'utf8')).toContain('iam.CreateRole 200');
  });
});

describe('local cloud credentials', () => {
  it('keep a first profile written before the second account existed, and add the second', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'resilient-daemon-creds-'));
    const paths = daemonPaths(stateDir);
    await mkdir(paths.dataDir, { recursive: true });
    const old = { accessKeyId: 'AKIAOLDOLDOLDOLDOLD1', secretAccessKey: 'old-secret' };
    await writeFile(
      paths.credentialsFile,
      `[resilient-local]\naws_access_key_id = ${old.accessKeyId}\naws_secret_access_key = ${old.secretAccessKey}\n`,
    );
    const written = ensureAdminCredentials(paths, 'eu-west-1');
    expect(written.first).toEqual(old);
    expect(readAdminCredentials(paths)).toEqual(old);
    expect(readAdminCredentials(paths, 'resilient-local-b')).toEqual(written.second);
    expect(written.second.accessKeyId).not.toBe(old.accessKeyId);
    // A second call changes nothing.
    expect(ensureAdminCredentials(paths, 'eu-west-1')).toEqual(written);
  });
});

/** A live process that is not a daemon: what a dead daemon's pid may belong to by the time of a stop. */
function sleeper(): {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exit: Promise<NodeJS.Signals | null>;
} {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const exit = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return { child, pid: child.pid ?? 0, exit };
}

async function writeRecord(dir: string, record: Partial<DaemonRecord>): Promise<string> {
  const paths = daemonPaths(dir);
  await mkdir(paths.dataDir, { recursive: true });
  const full = { port: 1, endpoint: 'http://127.0.0.1:1', region: 'us-west-2', timeScale: 1, ...record };
  await writeFile(paths.daemonFile, JSON.stringify(full));
  return paths.daemonFile;
}

describe('a daemon.json left by a daemon that died, whose pid another process has now', () => {
  // The last CI run's Ctrl+C test got a second signal from nowhere: a stop of such a record SIGTERMs
  // whatever has the pid by then (pids wrap around pid_max during a suite).
  it('is not that daemon when the start time differs: stop signals nothing and says the cloud was not running', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'resilient-daemon-reused-'));
    const other = sleeper();
    try {
      const file = await writeRecord(stateDir, { ...identify(other.pid), startTime: '1' });
      expect((await localCloudStatus({ stateDir })).running).toBe(false);
      expect(await stopLocalCloud({ stateDir, timeoutMs: 2_000 })).toEqual({
        wasRunning: false,
        forced: false,
      });
      expect(existsSync(file)).toBe(false);
      // Still alive, and it is our SIGKILL that ends it, not a SIGTERM from the stop.
      expect(pidExists(other.pid)).toBe(true);
    } finally {
      other.child.kill('SIGKILL');
    }
    expect(await other.exit).toBe('SIGKILL');
  });

  it('is not that daemon when an older record (no identity) names a pid, and its endpoint answers with another pid', async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'resilient-daemon-reused-old-'));
    const other = sleeper();
    // Something answers on the record's port, as another daemon might: with another pid.
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ pid: process.pid }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await writeRecord(stateDir, { pid: other.pid, endpoint });
      expect((await localCloudStatus({ stateDir })).running).toBe(false);
      expect(await stopLocalCloud({ stateDir, timeoutMs: 2_000 })).toEqual({
        wasRunning: false,
        forced: false,
      });
      expect(pidExists(other.pid)).toBe(true);
    } finally {
      other.child.kill('SIGKILL');
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await other.exit).toBe('SIGKILL');
  });
});
