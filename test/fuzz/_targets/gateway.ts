/**
 * Fuzz target: a whole local cloud (API gateway, services, DynamoDB in memory, model-only data plane) in
 * its own process, in a temp dir. Reports its endpoint and admin credentials so the parent can also send
 * correctly signed requests with hostile bodies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalCloud } from '../../../src/local/cloud.ts';
import { serveProbe } from './probe.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'resilient-fuzz-gw-'));
const cloud = await openLocalCloud({
  dataDir,
  port: 0,
  timeScale: 0.01,
  inMemoryDynamoDb: true,
  maxBodyBytes: 64 * 1024,
});
serveProbe(
  {
    endpoint: cloud.config.endpoint,
    region: cloud.config.region,
    accessKeyId: cloud.admin.accessKeyId,
    secretAccessKey: cloud.admin.secretAccessKey,
  },
  async () => {
    await cloud.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
);
