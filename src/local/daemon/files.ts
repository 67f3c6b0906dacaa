import { join, resolve } from 'node:path';

/**
 * The daemon's files (docs/local-cloud.md#the-daemon): `<stateDir>/local/` holds the snapshot,
 * DynamoDB data, `daemon.json` (pid, port), `daemon.log`, and the admin `credentials` / `config` profile.
 */
export const LOCAL_PROFILE = 'resilient-local';

export interface DaemonPaths {
  readonly dataDir: string;
  readonly daemonFile: string;
  readonly logFile: string;
  readonly credentialsFile: string;
  readonly configFile: string;
}

export function daemonPaths(stateDir: string): DaemonPaths {
  const dataDir = join(resolve(stateDir), 'local');
  return {
    dataDir,
    daemonFile: join(dataDir, 'daemon.json'),
    logFile: join(dataDir, 'daemon.log'),
    credentialsFile: join(dataDir, 'credentials'),
    configFile: join(dataDir, 'config'),
  };
}

/** What a running daemon records about itself. */
export interface DaemonRecord {
  readonly pid: number;
  readonly port: number;
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Fixed at start: run deadlines scale with it, so a client must not assume another. */
  readonly timeScale: number;
  readonly startedAt: string;
}
