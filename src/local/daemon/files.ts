import { join, resolve } from 'node:path';

/**
 * The daemon's files (docs/local-cloud.md#the-daemon): `<stateDir>/local/` holds the snapshot,
 * DynamoDB data, `daemon.json` (the daemon's pid and identity, port), `daemon.log`, and the admin `credentials` / `config` profiles of
 * both accounts.
 */
export const LOCAL_PROFILE = 'resilient-local';
/** The second account's admin profile, in the same files. */
export const SECOND_PROFILE = 'resilient-local-b';

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
  /**
   * The daemon's boot id and start time next to its pid (src/process-identity.ts): a daemon that died
   * without removing this file leaves a pid that another process may have by now, and `local stop` must
   * not signal that one. Absent in records of older daemons, and without /proc.
   */
  readonly bootId?: string | undefined;
  readonly startTime?: string | undefined;
  readonly port: number;
  readonly endpoint: string;
  /** The default Region (the profiles' `region`); every Region of `regions` is served. */
  readonly region: string;
  readonly regions: readonly string[];
  /** The first account's id (profile `resilient-local`). */
  readonly accountId: string;
  /** Both accounts, by profile. */
  readonly accounts: readonly { readonly profile: string; readonly accountId: string }[];
  /** Fixed at start: run deadlines scale with it, so a client must not assume another. */
  readonly timeScale: number;
  readonly startedAt: string;
}
