/**
 * Every shipped example experiment, run by the real CLI against one deployment on the local cloud
 * (time scale 0.05): `start --keep`, then `drill FILE --name N` for each (each one's rollbacks leave
 * the deployment as they found it), then `destroy`: every drill passes and nothing is left.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/drill/load.ts';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { leftovers } from '../_support/leftovers.ts';

const e2e = useE2eCloud('resilient-e2e-drills-', 0.05);
const { config, state } = e2e;
const NAME = 'drills';

// Runs before the fixture's teardown (after-hooks run in reverse): the cloud must still be up.
afterAll(async () => {
  await spawnCli(['destroy', '--name', NAME, '--yes', '--state-dir', state.path], {
    env: baseEnv(config.path),
    deadlineMs: 120_000,
  }).catch(() => undefined);
});

const EXAMPLES = ['hang-one-instance', 'slow-dependency', 'throttled-replacement'];

describe('the example experiments on the local cloud', () => {
  it('a bad experiment exits 2 and creates nothing, before any deployment exists', async () => {
    const r = await spawnCli(
      ['drill', 'resources/experiments/hang-one-instance.yaml', '--name', NAME, '--state-dir', state.path],
      {
        env: baseEnv(config.path),
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`No deployment named '${NAME}' to drill`);
    expect(await leftovers(e2e.cloud.clients, NAME)).toEqual([]);
  });

  it('start --keep deploys and verifies the seven stages, then each example drill passes, then destroy leaves nothing', async () => {
    const started = await spawnCli(['start', '--yes', '--keep', '--name', NAME, '--state-dir', state.path], {
      env: baseEnv(config.path),
      deadlineMs: 170_000,
    });
    if (started.code !== 0)
      throw new Error(`start: exit ${started.code}\n${started.stdout}\n${started.stderr}`);
    for (const example of EXAMPLES) {
      // The first drill also writes its reports: a testcase per hypothesis check and stage expectation.
      const report = example === EXAMPLES[0] ? ['--report', path.join(state.path, 'report')] : [];
      const r = await spawnCli(
        [
          'drill',
          `resources/experiments/${example}.yaml`,
          '--name',
          NAME,
          '--state-dir',
          state.path,
          ...report,
        ],
        { env: baseEnv(config.path), deadlineMs: 240_000 },
      );
      if (r.code !== 0) throw new Error(`${example}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toMatch(/Drill '.*' passed; the rollbacks ran/);
      // Every stage of the file was checked and passed.
      const stages = loadExperiment(`resources/experiments/${example}.yaml`, 'local').method;
      for (const [i, stage] of stages.entries())
        expect(r.stdout).toContain(`PASS stage ${i + 1}: ${stage.title}`);
      expect(r.stdout).not.toContain('FAIL');
      if (report.length > 0) {
        const junit = readFileSync(path.join(state.path, 'report', 'junit.xml'), 'utf8');
        expect(junit).toMatch(/failures="0" errors="0"/);
        expect(junit).toContain('classname="resilient.drills.hypothesis"');
        const journal = JSON.parse(readFileSync(path.join(state.path, 'report', 'journal.json'), 'utf8'));
        expect(journal.parts.map((p: { command: string }) => p.command)).toEqual(['start', 'drill']);
        expect(existsSync(path.join(state.path, 'report', 'report.html'))).toBe(true);
      }
      expect(existsSync(path.join(state.path, `${NAME}.drill.json`))).toBe(false);
    }
    const destroyed = await spawnCli(['destroy', '--name', NAME, '--yes', '--state-dir', state.path], {
      env: baseEnv(config.path),
      deadlineMs: 120_000,
    });
    expect(destroyed.code).toBe(0);
    expect(await leftovers(e2e.cloud.clients, NAME)).toEqual([]);
  }, 900_000);
});
