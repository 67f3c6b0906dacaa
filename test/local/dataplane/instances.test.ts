import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DataPlane } from '../../../src/local/contracts.ts';
import type { InstanceRuntime } from '../../../src/local/dataplane/instance-runtime.ts';
import { DEFAULT_OPTIONS } from '../../../src/local/dataplane/options.ts';
import { serverFiles } from '../../../src/userdata/server-files.ts';
import { type Harness, request, startHarness, waitFor } from '../../_support/dataplane-harness.ts';

/** The data plane's diagnostics accessor (not part of the DataPlane contract). */
const runtimeOf = (plane: DataPlane, id: string): InstanceRuntime | undefined =>
  (plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id);

const frontPort = async (h: Harness, id: string): Promise<number> => {
  await waitFor(`${id} ok`, () => (h.plane.instanceStatus(id) === 'ok' ? true : undefined));
  const port = runtimeOf(h.plane, id)?.endpointFor(80);
  if (port === undefined) throw new Error(`${id} has no endpoint`);
  return port;
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('instances as processes', () => {
  let h: Harness | undefined;
  const savedEnv = { ...process.env };
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    process.env = { ...savedEnv };
  });

  it('boots the workload after the boot delay, initializing until it listens, then ok', async () => {
    h = startHarness({ bootMs: 4_000 });
    h.view.addInstance('i-boot');
    h.plane.reconcile();
    expect(h.plane.instanceStatus('i-boot')).toBe('initializing');
    const port = await frontPort(h, 'i-boot');
    const res = await request(port, '/');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).instanceId).toBe('i-boot');
  });

  it('never lets the user credentials reach the instance: the SDK chain resolves the role from IMDS', async () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAUSERSOWNKEY00000';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'users-own-secret';
    process.env['AWS_PROFILE'] = 'personal';
    h = startHarness();
    h.view.addInstance('i-creds', { roleName: 'app-role' });
    h.plane.reconcile();
    const port = await frontPort(h, 'i-creds');
    const env = JSON.parse((await request(port, '/env')).body) as Record<string, string>;
    expect(env['AWS_ACCESS_KEY_ID']).toBeUndefined();
    expect(env['AWS_SECRET_ACCESS_KEY']).toBeUndefined();
    expect(env['AWS_PROFILE']).toBeUndefined();
    expect(env['AWS_REGION']).toBe('us-west-2');
    expect(env['AWS_ENDPOINT_URL']).toBe(h.config.endpoint);
    expect(env['AWS_EC2_METADATA_SERVICE_ENDPOINT']).toBe(runtimeOf(h.plane, 'i-creds')?.imdsEndpoint);
    expect(readFileSync(env['AWS_SHARED_CREDENTIALS_FILE'] ?? '', 'utf8')).toBe('');
    const creds = JSON.parse((await request(port, '/credentials')).body) as Record<string, string>;
    expect(creds['accessKeyId']).toMatch(/^ASIAAPPROLE/);
    expect(creds['sessionToken']).toMatch(/^token-app-role-/);
  });

  it('reports a workload that dies on its own as impaired, not gone', async () => {
    h = startHarness();
    h.view.addInstance('i-crash');
    h.plane.reconcile();
    await frontPort(h, 'i-crash');
    h.plane.injectInstanceFault('i-crash', { kind: 'crash' });
    await waitFor('impaired report', () => (h?.view.impaired.length ? true : undefined));
    expect(h.view.impaired[0]).toMatchObject({ instanceId: 'i-crash' });
    expect(h.plane.instanceStatus('i-crash')).toBe('impaired');
  });

  it('restarts the workload with the current role after a reboot (new bootId)', async () => {
    h = startHarness();
    h.view.addInstance('i-reboot', { roleName: 'app-role' });
    h.plane.reconcile();
    const port = await frontPort(h, 'i-reboot');
    const firstPid = runtimeOf(h.plane, 'i-reboot')?.pid;
    expect(JSON.parse((await request(port, '/credentials')).body).accessKeyId).toMatch(/^ASIAAPPROLE/);
    // The profile changes while the process runs: it keeps its credentials (SDK cache) until restarted.
    h.view.updateInstance('i-reboot', {
      roleName: 'ssm-only-role',
      instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/bc',
    });
    h.plane.reconcile();
    expect(JSON.parse((await request(port, '/credentials')).body).accessKeyId).toMatch(/^ASIAAPPROLE/);
    h.view.updateInstance('i-reboot', { bootId: 2 });
    h.plane.reconcile();
    expect(h.plane.instanceStatus('i-reboot')).toBe('initializing');
    await frontPort(h, 'i-reboot');
    expect(runtimeOf(h.plane, 'i-reboot')?.pid).not.toBe(firstPid);
    if (firstPid !== undefined) expect(isAlive(firstPid)).toBe(false);
    expect(JSON.parse((await request(port, '/credentials')).body).accessKeyId).toMatch(/^ASIASSMONLYROL/);
    expect(h.view.impaired).toEqual([]);
  });

  it('restarts only the process when the workload generation changes, and stops it on terminate', async () => {
    h = startHarness();
    h.view.addInstance('i-term');
    h.plane.reconcile();
    await frontPort(h, 'i-term');
    const firstPid = runtimeOf(h.plane, 'i-term')?.pid;
    h.view.updateInstance('i-term', { workloadGeneration: 2 });
    h.plane.reconcile();
    await waitFor('new pid', () => {
      const pid = runtimeOf(h?.plane as DataPlane, 'i-term')?.pid;
      return pid !== undefined && pid !== firstPid && h?.plane.instanceStatus('i-term') === 'ok'
        ? pid
        : undefined;
    });
    const pid = runtimeOf(h.plane, 'i-term')?.pid ?? 0;
    h.view.updateInstance('i-term', { state: 'shutting-down' });
    h.plane.reconcile();
    expect(h.plane.instanceStatus('i-term')).toBeUndefined();
    await waitFor('process gone', () => (isAlive(pid) ? undefined : true));
    expect(h.view.impaired).toEqual([]);
  });

  it('keeps each instance small (RSS measured)', async () => {
    h = startHarness();
    h.view.addInstance('i-mem');
    h.plane.reconcile();
    await frontPort(h, 'i-mem');
    const pid = runtimeOf(h.plane, 'i-mem')?.pid ?? 0;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    process.stdout.write(`[measure] fixture workload RSS: ${(rssKb / 1024).toFixed(1)} MiB\n`);
    expect(rssKb).toBeGreaterThan(0);
    expect(rssKb).toBeLessThan(200 * 1024);
  });

  it('runs the recommendation server as the JavaScript user data ships to EC2, without the type stripper', async () => {
    h = startHarness({ workload: DEFAULT_OPTIONS.workload });
    h.view.addInstance('i-shipped');
    h.plane.reconcile();
    await frontPort(h, 'i-shipped');
    const pid = runtimeOf(h.plane, 'i-shipped')?.pid ?? 0;
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const entry = argv.find((a) => a.endsWith('main.js')) ?? '';
    expect(entry.startsWith(h.config.dataDir)).toBe(true);
    expect(readFileSync(entry, 'utf8')).toBe(serverFiles().find((f) => f.name === 'main.js')?.content);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    process.stdout.write(
      `[measure] recommendation server RSS (shipped JavaScript): ${(rssKb / 1024).toFixed(1)} MiB\n`,
    );
    expect(rssKb).toBeGreaterThan(0);
  });
});
