/**
 * `start --experiment FILE` and Ctrl+C in an experiment, through the real CLI on the local cloud at
 * time scale 0.05: a bad file exits 2 before anything exists, with `drill validate`'s message; an
 * example experiment deploys, runs, writes its reports and destroys; a resume runs the file's content
 * as the plan recorded it, even once the file is gone; and the first SIGINT rolls back before exit 130.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { createControlClient } from '../../src/local/control/client.ts';
import { readAdminCredentials } from '../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../src/local/daemon/files.ts';
import { resourceNames } from '../../src/names.ts';
import { spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

const e2e = useE2eCloud('resilient-e2e-experiment-', 0.05);
const HANG = 'resources/experiments/hang-one-instance.yaml';

const cli = (args: string[], options: Parameters<typeof spawnCli>[1] = {}) =>
  spawnCli([...args, '--state-dir', e2e.state.path], { env: e2e.env(), deadlineMs: 170_000, ...options });
const fail = (what: string, r: { code: number | null; stdout: string; stderr: string }) =>
  new Error(`${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);

describe('start --experiment FILE', () => {
  it('a bad file exits 2 with the same message as drill validate, and creates nothing', async () => {
    const bad = path.join(e2e.state.path, 'bad.yaml');
    writeFileSync(bad, 'version: 1\ntitle: bad\nmethod:\n  - title: a\n    actions: [{ action: explode }]\n');
    const started = await cli(['start', '--yes', '--name', 'bad', '--experiment', bad]);
    const validated = await spawnCli(['drill', 'validate', bad], { env: e2e.env() });
    expect(started.code).toBe(2);
    expect(validated.code).toBe(2);
    const firstLine = (s: string) => s.split('\n').find((l) => l.includes(bad)) ?? '';
    expect(firstLine(started.stderr)).toContain('/method/0/actions/0');
    expect(firstLine(started.stderr)).toBe(firstLine(validated.stderr));
    // Refused before the intro: nothing was started, no checkpoint, no resource.
    expect(started.stdout).not.toContain('Deploying');
    expect(existsSync(path.join(e2e.state.path, 'bad.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'bad')).toEqual([]);
  });

  it('a local-only experiment with --target aws is refused at validation (exit 2), before any AWS call', async () => {
    const r = await cli(['start', '--target', 'aws', '--yes', '--name', 'awsx', '--experiment', HANG], {
      env: {
        ...e2e.env(),
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_REGION: 'us-west-2',
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/local/);
    expect(r.stdout).not.toContain('account');
    expect(existsSync(path.join(e2e.state.path, 'awsx.json'))).toBe(false);
  });

  it('with --yes and --report: deploys, runs the experiment (hypothesis and stage checks pass), destroys, exits 0, leaves nothing', async () => {
    const dir = path.join(e2e.state.path, 'report');
    const r = await cli(['start', '--yes', '--name', 'hang', '--experiment', HANG, '--report', dir]);
    if (r.code !== 0) throw fail('start --experiment', r);
    expect(r.stdout).toContain('Experiment: Hang one instance');
    expect(r.stdout).toContain('Stage 1: The instance hangs');
    expect(r.stdout).toContain('Stage 2: Deep health checks isolate it');
    expect(r.stdout).toContain('PASS steady state before the method');
    expect(r.stdout).not.toContain('FAIL');
    expect(r.stdout).toContain('Swept by tag and name: nothing of this deployment is left.');
    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/tests="7" failures="0" errors="0"/);
    for (const name of [
      'Steady state before the method: every answer is a real item',
      'Steady state before the method: every target is healthy',
      'Stage 1: The instance hangs — some requests end in 504',
      'Stage 2: Deep health checks isolate it — only real items again',
      'Stage 2: Deep health checks isolate it — two healthy targets',
      'Steady state after the method: every answer is a real item',
      'Steady state after the method: every target is healthy',
    ])
      expect(junit).toContain(`name="${name}"`);
    expect(existsSync(path.join(e2e.state.path, 'hang.json'))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, 'hang')).toEqual([]);
  }, 200_000);

  it('a resume runs the experiment the plan recorded, even after the file is gone', async () => {
    const copy = path.join(e2e.state.path, 'copy.yaml');
    copyFileSync(HANG, copy);
    let killed = false;
    const first = await cli(['start', '--yes', '--name', 'gone', '--experiment', copy], {
      onStdout: (out, child) => {
        if (!killed && out.includes('Stage 1: The instance hangs')) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(first.signal).toBe('SIGKILL');
    rmSync(copy);
    const resumed = await cli(['resume', '--yes', '--name', 'gone']);
    if (resumed.code !== 0) throw fail('resume', resumed);
    expect(resumed.stdout).toContain('Stage 2: Deep health checks isolate it');
    expect(await leftovers(e2e.cloud.clients, 'gone')).toEqual([]);
  }, 240_000);
});

describe('Ctrl+C in an experiment', () => {
  it('the first SIGINT after a stage’s action runs the rollbacks before exit 130: the table parameter is restored; resume ends clean', async () => {
    const name = 'intr';
    const table = resourceNames(name, 'us-west-2').parameters.table;
    let sent = false;
    const interrupted = await cli(['start', '--yes', '--name', name], {
      onStdout: (out, child) => {
        // Stage 2's action has broken the table parameter.
        if (!sent && out.includes(`Setting parameter ${table} to 'this-is-not-a-table'`)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toContain('Stage 8: Reset');
    const value = await e2e.cloud.clients.ssm.send(new GetParameterCommand({ Name: table }));
    expect(value.Parameter?.Value).toBe(resourceNames(name, 'us-west-2').table);
    const resumed = await cli(['resume', '--yes', '--name', name]);
    if (resumed.code !== 0) throw fail('resume', resumed);
    for (let stage = 1; stage <= 7; stage++)
      expect(resumed.stdout).toContain(`Stage ${stage} verification: PASS`);
    expect(existsSync(path.join(e2e.state.path, `${name}.json`))).toBe(false);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 300_000);

  it('in `drill`: the first SIGINT after the fault is injected heals it (the rollbacks) before exit 130; the same command runs the drill anew and passes', async () => {
    const name = 'dint';
    const kept = await cli(['start', '--yes', '--keep', '--name', name]);
    if (kept.code !== 0) throw fail('start --keep', kept);
    const credentials = readAdminCredentials(daemonPaths(e2e.state.path));
    if (credentials === undefined) throw new Error('no admin credentials');
    const control = createControlClient({
      endpoint: e2e.cloud.endpoint,
      adminSecret: credentials.secretAccessKey,
    });
    const hung = async () =>
      (await control.faultStatus()).instances.filter((i) => i.fault !== 'none').map((i) => i.instanceId);
    let sent = false;
    let hungAtSignal: string[] = [];
    const interrupted = await cli(['drill', HANG, '--name', name], {
      onStdout: (out, child) => {
        if (sent || !out.includes('Stage 1: The instance hangs')) return;
        sent = true;
        // The stage's actions (shallow checks, then the hang) are done once an instance is hung.
        void (async () => {
          for (let i = 0; i < 100 && hungAtSignal.length === 0; i++) {
            hungAtSignal = await hung();
            if (hungAtSignal.length === 0) await new Promise((r) => setTimeout(r, 100));
          }
          child.kill('SIGINT');
        })();
      },
    });
    expect(sent).toBe(true);
    expect(hungAtSignal).toHaveLength(1);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain('the rollbacks run');
    // The rollback healed it before the process exited.
    expect(await hung()).toEqual([]);
    expect(existsSync(path.join(e2e.state.path, `${name}.drill.json`))).toBe(true);
    const again = await cli(['drill', HANG, '--name', name], { deadlineMs: 240_000 });
    if (again.code !== 0) throw fail('drill again', again);
    expect(again.stdout).toContain('PASS stage 1: The instance hangs');
    expect(again.stdout).toContain('PASS stage 2: Deep health checks isolate it');
    expect(existsSync(path.join(e2e.state.path, `${name}.drill.json`))).toBe(false);
    const destroyed = await cli(['destroy', '--name', name, '--yes']);
    if (destroyed.code !== 0) throw fail('destroy', destroyed);
    expect(await leftovers(e2e.cloud.clients, name)).toEqual([]);
  }, 400_000);
});
