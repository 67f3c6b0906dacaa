/**
 * `--report` across a crash: `start --report DIR` SIGKILLed in stage 4, then a plain `resume` (the
 * checkpoint's plan keeps DIR) finishes the run, and DIR's journal is one journal of two parts (the
 * first one's entries kept, not overwritten), whose junit.xml still has one passing testcase per stage.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journal } from '../../src/report/journal.ts';
import { baseEnv, spawnCli } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';

const e2e = useE2eCloud('resilient-resume-report-', 0.05);
const { config, state } = e2e;

describe('--report across a SIGKILL and a resume', () => {
  it('the resumed run appends to the journal of its first part, and the reports cover both', async () => {
    const dir = path.join(state.path, 'report');
    const common = ['--yes', '--name', 'rr', '--state-dir', state.path];
    const crash = await spawnCli(['start', '--time-scale', '0.05', '--report', dir, ...common], {
      env: baseEnv(config.path),
      deadlineMs: 150_000,
      onStdout: (out, child) => {
        if (out.includes('Stage 4:')) child.kill('SIGKILL');
      },
    });
    expect(crash.signal).toBe('SIGKILL');
    // No --report on resume: the checkpoint's plan says where the first part wrote its reports.
    const resumed = await spawnCli(['resume', ...common], { env: baseEnv(config.path), deadlineMs: 150_000 });
    if (resumed.code !== 0)
      throw new Error(`resume exit ${resumed.code}\n${resumed.stdout}\n${resumed.stderr}`);

    const journal = JSON.parse(readFileSync(path.join(dir, 'journal.json'), 'utf8')) as Journal;
    expect(journal.parts.map((p) => p.command)).toEqual(['start', 'resume']);
    expect(journal.parts[0]?.outcome).toBeUndefined();
    expect(journal.parts[1]?.outcome).toBe('succeeded');
    const part1 = journal.entries.filter((e) => e.part === 1);
    expect(part1.some((e) => e.event.type === 'stage' && e.event.stage === 1)).toBe(true);
    expect(part1.some((e) => e.event.type === 'probe-sample')).toBe(true);
    expect(journal.entries.map((e) => e.seq)).toEqual(journal.entries.map((_, i) => i + 1));

    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="7" failures="0" errors="0"');
    for (let stage = 1; stage <= 7; stage++)
      expect(junit).toContain(`classname="resilient.rr.stage${stage}"`);
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('part 2: <code>resume</code>');
  }, 240_000);
});
