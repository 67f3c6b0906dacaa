/**
 * A local cloud for end-to-end tests, started and stopped through the CLI itself (`resilient local
 * start --port 0`, so it never collides with anyone's 4566), and SDK clients on its admin credentials
 * for checking what the CLI did.
 */
import { type Clients, createClients } from '../../../src/aws/clients.ts';
import { localCloudStatus } from '../../../src/local/daemon/control.ts';
import { readAdminCredentials } from '../../../src/local/daemon/credentials.ts';
import { daemonPaths } from '../../../src/local/daemon/files.ts';
import { baseEnv, spawnCli } from '../../cli/_helpers/cli.ts';

export interface E2eCloud {
  readonly endpoint: string;
  readonly region: string;
  readonly clients: Clients;
  stop(): Promise<void>;
}

export async function startCloudViaCli(
  stateDir: string,
  configDir: string,
  timeScale: number,
): Promise<E2eCloud> {
  const env = baseEnv(configDir);
  const started = await spawnCli(
    ['local', 'start', '--port', '0', '--state-dir', stateDir, '--time-scale', String(timeScale)],
    {
      env,
      deadlineMs: 30_000,
    },
  );
  if (started.code !== 0)
    throw new Error(`local start failed (${started.code}): ${started.stderr}${started.stdout}`);
  const status = await localCloudStatus({ stateDir });
  const credentials = readAdminCredentials(daemonPaths(stateDir));
  if (!status.running || status.endpoint === undefined || credentials === undefined) {
    throw new Error(`the local cloud in ${stateDir} is not running after start: ${started.stdout}`);
  }
  const region = status.region ?? 'us-west-2';
  const clients = createClients({ region, endpoint: status.endpoint, credentials, maxAttempts: 2 });
  return {
    endpoint: status.endpoint,
    region,
    clients,
    stop: async () => {
      clients.destroy();
      const stopped = await spawnCli(['local', 'stop', '--state-dir', stateDir], { env, deadlineMs: 40_000 });
      if (stopped.code !== 0) throw new Error(`local stop failed: ${stopped.stderr}`);
    },
  };
}
