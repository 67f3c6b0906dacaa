/**
 * Fuzz target: the local data plane over a fake control-plane view, with one active load balancer in
 * front of three instances that run the real recommendation server (each its own process with its own
 * IMDSv2). The cloud endpoint is a closed port, so instances answer the shallow health check with 200
 * and `/` by closing (the load balancer's 502). Reports the load balancer's port once all three targets
 * are healthy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalCloudConfig } from '../../../src/local/contracts.ts';
import { createDataPlane } from '../../../src/local/dataplane/data-plane.ts';
import { FakeView } from '../../_support/fake-view.ts';
import { serveProbe } from './probe.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'resilient-fuzz-lb-'));
const config: LocalCloudConfig = {
  accountId: '123456789012',
  region: 'us-west-2',
  zones: ['us-west-2a', 'us-west-2b', 'us-west-2c'],
  timeScale: 0.05,
  dataDir,
  endpoint: 'http://127.0.0.1:9',
};
const view = new FakeView();
const plane = createDataPlane({ view, config });
const stop = async (): Promise<void> => {
  await plane.close();
  rmSync(dataDir, { recursive: true, force: true });
};
const ids = ['i-0f0000000000000a1', 'i-0f0000000000000a2', 'i-0f0000000000000a3'];
ids.forEach((id, n) => {
  view.addInstance(id, { availabilityZone: config.zones[n] ?? 'us-west-2a' });
});
const port = await plane.reserveLoadBalancerPort('lb');
view.balance(ids, port);
plane.reconcile();
const deadline = Date.now() + 30_000;
while (!ids.every((id) => plane.targetHealth('tg', id, 80)?.state === 'healthy')) {
  if (Date.now() > deadline) {
    await stop();
    throw new Error('targets did not become healthy within 30 s');
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
serveProbe({ port }, stop);
