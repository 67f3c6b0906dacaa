import { rmSync } from 'node:fs';
import { identify } from '../../process-identity.ts';
import type { RequestEvent } from '../api/gateway.ts';
import { type LocalCloud, openLocalCloud } from '../cloud.ts';
import { writeFileAtomic } from '../store/atomic-write.ts';
import { ensureAdminCredentials } from './credentials.ts';
import { type DaemonRecord, daemonPaths, LOCAL_PROFILE, SECOND_PROFILE } from './files.ts';

export interface ServeOptions {
  readonly port: number;
  readonly stateDir: string;
  readonly timeScale: number;
  readonly region?: string;
  readonly onRequest?: (event: RequestEvent) => void;
}

export interface ServingCloud {
  readonly cloud: LocalCloud;
  readonly record: DaemonRecord;
  /** Closes the cloud and removes `daemon.json`. */
  stop(): Promise<void>;
}

/**
 * Runs the local cloud of a state dir in this process: admin credentials (created at first start), the
 * cloud on 127.0.0.1:port, and `daemon.json` written once it serves. Shared by the daemon entry point and
 * `startLocalCloud({ foreground: true })`.
 */
export async function serveLocalCloud(options: ServeOptions): Promise<ServingCloud> {
  const paths = daemonPaths(options.stateDir);
  const region = options.region ?? 'us-west-2';
  const admins = ensureAdminCredentials(paths, region);
  const cloud = await openLocalCloud({
    dataDir: paths.dataDir,
    port: options.port,
    timeScale: options.timeScale,
    region,
    admin: admins.first,
    secondAccount: { admin: admins.second },
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  });
  const { bootId, startTime } = identify(process.pid);
  const record: DaemonRecord = {
    pid: process.pid,
    bootId,
    startTime,
    port: Number(new URL(cloud.config.endpoint).port),
    endpoint: cloud.config.endpoint,
    region: cloud.config.region,
    regions: cloud.regions,
    accountId: cloud.config.accountId,
    accounts: cloud.accounts.map((a, i) => ({
      profile: i === 0 ? LOCAL_PROFILE : SECOND_PROFILE,
      accountId: a.accountId,
    })),
    timeScale: cloud.config.timeScale,
    startedAt: new Date().toISOString(),
  };
  // Whole or not at all: a reader (status, stop, a starter waiting for it) never sees half a record.
  await writeFileAtomic(paths.daemonFile, `${JSON.stringify(record, null, 2)}\n`);
  return {
    cloud,
    record,
    async stop() {
      await cloud.close();
      rmSync(paths.daemonFile, { force: true });
    },
  };
}
