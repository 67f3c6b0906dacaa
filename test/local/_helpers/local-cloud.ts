import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdminCredentials } from '../../../src/local/api/principals.ts';
import { type LocalCloud, type LocalCloudOptions, openLocalCloud } from '../../../src/local/cloud.ts';

/** What a test needs to talk to a local cloud. Stable signature: other local-cloud suites depend on it. */
export interface TestLocalCloud {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly credentials: AdminCredentials;
  readonly region: string;
  /** The first account (whose admin `credentials` are) and the second one (profile `resilient-local-b`). */
  readonly accountId: string;
  readonly second: { readonly accountId: string; readonly credentials: AdminCredentials };
  /** The temp data dir (removed by `close()` unless `keepDataDir`). */
  readonly dataDir: string;
  /** The in-process cloud, for tests that inspect state or the data plane. */
  readonly cloud: LocalCloud;
  close(): Promise<void>;
}

export type TestLocalCloudOptions = Omit<LocalCloudOptions, 'dataDir'> & {
  /** Reuse a data dir (restart tests); otherwise a fresh temp dir. */
  readonly dataDir?: string;
  /** Leave the data dir in place on close (the caller removes it). */
  readonly keepDataDir?: boolean;
};

/**
 * Starts a local cloud in this process on a free loopback port, in a temp dir. Admin credentials are random;
 * DynamoDB tables become ACTIVE almost at once (time scale 0.01 unless given). Always `await close()` in
 * `afterEach`/`afterAll`.
 */
export async function startTestLocalCloud(options: TestLocalCloudOptions = {}): Promise<TestLocalCloud> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'resilient-local-')));
  const { keepDataDir, dataDir: _ignored, ...rest } = options;
  let cloud: LocalCloud;
  try {
    cloud = await openLocalCloud({ timeScale: 0.01, ...rest, dataDir, port: options.port ?? 0 });
  } catch (error: unknown) {
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    endpoint: cloud.config.endpoint,
    credentials: cloud.admin,
    region: cloud.config.region,
    accountId: cloud.config.accountId,
    second: {
      accountId: cloud.accounts[1]?.accountId ?? '',
      credentials: cloud.accounts[1]?.admin ?? cloud.admin,
    },
    dataDir,
    cloud,
    async close() {
      await cloud.close();
      if (keepDataDir !== true) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
