/**
 * The live view and report.html in a real browser, on real local-cloud runs at time scale 0.05:
 * `resilient watch` follows a `start --yes` driven by another process and the page changes stage and
 * target health as it happens; report.html of a `start --yes --report DIR` renders its timeline from
 * disk with no network at all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, baseEnv, ROOT, spawnCli, tempDir } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';
import { type Browser, hasChromium, launchBrowser, screenshotPath } from './_helpers/browser.ts';

const e2e = useE2eCloud('resilient-browser-', 0.05);
const { config, state } = e2e;
const reports = tempDir('resilient-report-');
let browser: Browser;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  browser = await launchBrowser();
}, 90_000);
// Runs before the fixture's teardown (after-hooks run in reverse order).
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await browser?.close();
  reports.remove();
});

const START = ['start', '--yes', '--time-scale', '0.05', '--state-dir', state.path];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(
  what: string,
  deadlineMs: number,
  check: () => T | undefined | Promise<T | undefined>,
) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** `resilient watch` as a long-running child: its URL (the line of its own) and how it exits. */
function spawnWatch(name: string) {
  const child = spawn(process.execPath, [BIN, 'watch', '--name', name, '--state-dir', state.path], {
    cwd: ROOT,
    env: baseEnv(config.path),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    url: () =>
      waitFor('the watch URL', 30_000, () => /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(stdout)?.[1]),
  };
}

describe.skipIf(!hasChromium())('the live view and the report in a real browser (Debian chromium)', () => {
  it('watch follows a local-cloud run: the page changes stage and target health; no token is 403; Ctrl+C exits 130 and the run goes on', async () => {
    const run = spawnCli([...START, '--name', 'live'], { env: baseEnv(config.path), deadlineMs: 200_000 });
    // The deployment exists once its checkpoint does; watch refuses a name that has neither.
    await waitFor(
      'the checkpoint',
      30_000,
      () => existsSync(path.join(state.path, 'live.json')) || undefined,
    );
    const watch = spawnWatch('live');
    const url = await watch.url();

    const bare = new URL(url);
    bare.search = '';
    expect((await fetch(bare)).status).toBe(403);
    expect((await fetch(`${bare}?token=not-the-token`)).status).toBe(403);
    expect((await fetch(url)).status).toBe(200);

    const page = await browser.context.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(bare.origin)) foreign.push(r.url());
    });
    await page.goto(url);
    const stages = new Set<string>();
    const statesByTarget = new Map<string, Set<string>>();
    let shot = false;
    await waitFor('a stage change and a target-health change on the page', 150_000, async () => {
      const seen = {
        stage: await page.locator('#current-stage').getAttribute('data-stage'),
        targets: await page
          .locator('#targets tr[data-instance]')
          .evaluateAll((rows) =>
            rows.map((tr) => [
              tr.getAttribute('data-instance') ?? '',
              tr.querySelector('.state')?.textContent ?? '',
            ]),
          ),
      };
      if (seen.stage !== null) stages.add(seen.stage);
      for (const [id, st] of seen.targets) {
        if (id === undefined || st === undefined) continue;
        const set = statesByTarget.get(id) ?? new Set<string>();
        set.add(st);
        statesByTarget.set(id, set);
      }
      if (!shot && seen.stage === '6') {
        await page.screenshot({ path: screenshotPath('watch.png'), fullPage: true });
        shot = true;
      }
      const healthChanged = [...statesByTarget.values()].some((s) => s.size >= 2);
      return stages.size >= 2 && healthChanged && shot ? true : undefined;
    });
    expect(stages.size).toBeGreaterThanOrEqual(2);
    expect(await page.locator('svg.timeline rect.bar').count()).toBeGreaterThan(0);
    expect(await page.locator('#stream').textContent()).toBe('live');
    expect(foreign).toEqual([]);

    // Many tabs are fine, and closing them leaves the run alone.
    const tabs = await Promise.all([1, 2, 3].map(() => browser.context.newPage()));
    await Promise.all(tabs.map((t) => t.goto(url)));
    await Promise.all(tabs.map((t) => t.waitForSelector('svg.timeline')));
    await Promise.all(tabs.map((t) => t.close()));
    await page.close();

    watch.child.kill('SIGINT');
    expect(await watch.exited).toBe(130);
    expect(watch.output().stderr).toContain('Stopped watching; the run was not touched.');
    const result = await run;
    if (result.code !== 0) throw new Error(`start exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain('Stage 7 verification: PASS');
  }, 240_000);

  it('start --report DIR --web serves its page while it runs and writes the three files; report.html renders its timeline offline: bars, stage boundaries, health lanes, seven PASS', async () => {
    const dir = path.join(reports.path, 'run');
    // With --web too: the run serves its own page while it runs (checked over HTTP here; the page
    // itself is the one the test above drives).
    let web: Promise<number[]> | undefined;
    const result = await spawnCli([...START, '--name', 'rep', '--report', dir, '--web'], {
      env: baseEnv(config.path),
      deadlineMs: 200_000,
      onStdout: (out) => {
        const url = /^(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)?.[1];
        if (url === undefined || web !== undefined) return;
        const bare = new URL(url);
        bare.search = '';
        web = Promise.all([fetch(bare), fetch(url), fetch(url.replace('/?', '/live.js?'))]).then((rs) =>
          rs.map((r) => r.status),
        );
      },
    });
    expect(await web).toEqual([403, 200, 200]);
    if (result.code !== 0) throw new Error(`start exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout).toContain(`Report: ${path.join(dir, 'journal.json')}`);

    const journal = JSON.parse(readFileSync(path.join(dir, 'journal.json'), 'utf8'));
    const schema = JSON.parse(
      readFileSync(new URL('../../resources/journal.schema.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    validate(journal);
    expect(validate.errors ?? []).toEqual([]);
    const types = new Set(journal.entries.map((e: { event: { type: string } }) => e.event.type));
    for (const t of ['probe-sample', 'health-sample', 'action', 'stage', 'run-finished'])
      expect(types).toContain(t);

    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('tests="7" failures="0" errors="0"');
    expect((junit.match(/<testcase /g) ?? []).length).toBe(7);

    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.route(/^(?!file:)/, (route) => route.abort());
    const file = `file://${path.join(dir, 'report.html')}`;
    await page.goto(file);
    expect(requests).toEqual([file]);
    expect(await page.locator('svg.timeline').count()).toBe(1);
    expect(await page.locator('svg.timeline rect.bar').count()).toBeGreaterThan(5);
    expect(await page.locator('svg.timeline rect.bar[data-outcome="5xx"]').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.timeline rect.bar[data-outcome="static"]').count()).toBeGreaterThan(0);
    for (let stage = 1; stage <= 7; stage++)
      expect(await page.locator(`svg.timeline line.stage-boundary[data-stage="${stage}"]`).count()).toBe(1);
    expect(
      await page.locator('svg.timeline rect.health-seg[data-state="unhealthy"]').count(),
    ).toBeGreaterThan(0);
    expect(await page.locator('#stages .badge.pass').count()).toBeGreaterThanOrEqual(7);
    expect(await page.locator('#stages .badge.fail').count()).toBe(0);
    expect(await page.locator('#stages tr[data-stage="2"]').textContent()).toContain('this-is-not-a-table');
    const box = await page.locator('svg.timeline').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(600);
    await page.screenshot({ path: screenshotPath('report.png'), fullPage: true });
    await page.close();
  }, 240_000);
});
