/**
 * Starts a data plane over a `FakeView` with the fixture workload, a temp data dir and a small time
 * scale; `stop()` closes everything and removes the dir. Waits poll with a deadline and fail loudly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataPlane, LocalCloudConfig } from '../../src/local/contracts.ts';
import { type CreateDataPlaneInput, createDataPlane } from '../../src/local/dataplane/data-plane.ts';
import type { DataPlaneEvent } from '../../src/local/dataplane/events.ts';
import { FakeView } from './fake-view.ts';
import { until } from './poll.ts';

export const FIXTURE_WORKLOAD = fileURLToPath(new URL('./fixture-workload.ts', import.meta.url));

export interface Harness {
  readonly view: FakeView;
  readonly plane: DataPlane;
  readonly config: LocalCloudConfig;
  readonly events: DataPlaneEvent[];
  stop(): Promise<void>;
}

export function startHarness(overrides: Partial<CreateDataPlaneInput> = {}, timeScale = 0.05): Harness {
  const dataDir = mkdtempSync(join(tmpdir(), 'resilient-dataplane-'));
  const view = new FakeView();
  const events: DataPlaneEvent[] = [];
  const config: LocalCloudConfig = {
    accountId: '123456789012',
    region: 'us-west-2',
    zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
    timeScale,
    dataDir,
    // Nothing listens here: fixtures never call AWS APIs.
    endpoint: 'http://127.0.0.1:9',
  };
  const plane = createDataPlane({
    view,
    config,
    workload: { entry: FIXTURE_WORKLOAD, nodeArgs: ['--max-old-space-size=64'] },
    bootMs: 1_000,
    rebootMs: 1_000,
    onEvent: (e) => events.push(e),
    ...overrides,
  });
  return {
    view,
    plane,
    config,
    events,
    async stop() {
      await plane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (`test/_support/poll.ts`). */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  deadlineMs = 15_000,
): Promise<T> {
  return until(what, check, { deadlineMs, intervalMs: 25 });
}

export interface HttpResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection (or the given agent); resolves with status, headers and body. */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string; agent?: http.Agent } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error(`request to ${path} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
