/**
 * What start, resume and destroy do with a local cloud that already runs at another time scale, or on
 * another port, than the command would start it with (src/cli/local-target.ts). The "cloud" is a stand-in
 * daemon: a daemon.json naming this process and a health route that answers with its pid, as the real
 * daemon's does, so nothing is started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureLocalCloud, type OtherTimeScale } from '../../src/cli/local-target.ts';
import { ResilientError } from '../../src/errors.ts';
import { ensureAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { captureIo, tempDir } from '../_support/cli.ts';

const state = tempDir('resilient-local-target-');
let server: http.Server;
let endpoint = '';

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ pid: process.pid }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const paths = daemonPaths(state.path);
  mkdirSync(paths.dataDir, { recursive: true });
  ensureAdminCredentials(paths, 'us-west-2');
  writeFileSync(
    paths.daemonFile,
    JSON.stringify({ pid: process.pid, endpoint, region: 'us-west-2', timeScale: 0.05 }),
  );
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  state.remove();
});

const connect = (timeScale: number, onOtherTimeScale: OtherTimeScale, port?: number) => {
  const cap = captureIo();
  const result = ensureLocalCloud(cap.io, {
    stateDir: state.path,
    timeScale,
    region: 'us-west-2',
    port,
    onOtherTimeScale,
  });
  return { cap, result };
};

describe('a local cloud already running at time scale 0.05', () => {
  it('start without --time-scale adopts its time scale and says so in one line', async () => {
    const { cap, result } = connect(1, 'adopt');
    expect((await result).timeScale).toBe(0.05);
    expect(cap.stdout()).toBe(
      `Using the local cloud already running at ${endpoint}, at its time scale 0.05 (not 1).\n`,
    );
  });

  it('an explicit, different --time-scale is refused, with the ways out', async () => {
    const error = await connect(1, 'refuse').result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResilientError);
    expect((error as ResilientError).message).toContain('runs at time scale 0.05, not 1');
    expect((error as ResilientError).hint).toContain('leave out --time-scale to use 0.05');
  });

  it('resume uses it when it is faster than the run (deadlines only get longer than needed)', async () => {
    expect((await connect(1, 'adopt-if-faster').result).timeScale).toBe(0.05);
  });

  it('resume refuses it when it is slower than the run (the deadlines would be overrun)', async () => {
    const error = await connect(0.01, 'adopt-if-faster').result.catch((e: unknown) => e);
    expect((error as ResilientError).message).toContain("this run's deadlines were set for its own");
    expect((error as ResilientError).hint).toContain('resilient local stop');
  });

  it('the same time scale is simply used', async () => {
    const { cap, result } = connect(0.05, 'refuse');
    expect((await result).timeScale).toBe(0.05);
    expect(cap.stdout()).toBe(`Using the local cloud already running at ${endpoint}.\n`);
  });

  it('start --port for another port than the running cloud is a usage error', async () => {
    const error = await connect(0.05, 'adopt', 1).result.catch((e: unknown) => e);
    expect((error as ResilientError).code).toBe('USAGE');
    expect((error as ResilientError).message).toContain(`already runs at ${endpoint}, not on port 1`);
  });
});
