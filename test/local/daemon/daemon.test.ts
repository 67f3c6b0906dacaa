import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { localCloudStatus, startLocalCloud, stopLocalCloud } from '../../../src/local/daemon/control.ts';
import { ensureAdminCredentials, readAdminCredentials } from '../../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../../src/local/daemon/files.ts';
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
