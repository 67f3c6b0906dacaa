import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApiFaults } from './api/faults.ts';
import { createGateway, type RequestEvent } from './api/gateway.ts';
import type { AdminCredentials, LocalAccount } from './api/principals.ts';
import type { RawService } from './api/raw-service.ts';
import { DEFAULT_MAX_BODY_BYTES } from './api/read-body.ts';
import type { Clock, Cloud, DataPlane, LocalCloudConfig, ServiceModule } from './contracts.ts';
import { createControlHandler } from './control/routes.ts';
import { createDataPlane } from './dataplane/data-plane.ts';
import { ModelOnlyDataPlane } from './dataplane/model-only.ts';
import { REGION_ZONES, zonesOf } from './regions.ts';
import { Scopes } from './scopes.ts';
import { createDynamoDb } from './services/dynamodb/index.ts';
import { iamId, randomSecret } from './services/iam/ids.ts';
import { serviceModules } from './services/index.ts';
import { createDataPlaneView } from './services/view.ts';
import { readSnapshot, SnapshotWriter } from './store/snapshot.ts';

export interface LocalCloudOptions {
  /** Where the snapshot, DynamoDB data and logs live (created if missing). */
  readonly dataDir: string;
  /** Port on 127.0.0.1 (0 = any free port). */
  readonly port?: number;
  /** The first account's id (default 123456789012). */
  readonly accountId?: string;
  /**
   * The default Region: `config` and the admin profile name it, IAM and STS keep their state in it, and a
   * snapshot from before Regions is restored into it. Every Region of `regions.ts` is served anyway; one
   * not listed there is served too, with `zones` (or a–d).
   */
  readonly region?: string;
  /** The default Region's zones (default: its zones in `regions.ts`). */
  readonly zones?: readonly string[];
  readonly timeScale?: number;
  /** The first account's admin key pair; random when absent. */
  readonly admin?: AdminCredentials;
  /** The second account (profile `resilient-local-b`): id default 111122223333, admin keys random when absent. */
  readonly secondAccount?: { readonly accountId?: string; readonly admin?: AdminCredentials };
  /**
   * Builds the data plane for this cloud; default: the real one (`dataplane/`: instance processes, IMDSv2,
   * load balancers, health checks) over the services' view. `ModelOnlyDataPlane` is for API-only tests.
   */
  readonly dataplane?: (cloud: Cloud) => DataPlane;
  readonly services?: readonly ServiceModule[];
  /** Keep DynamoDB in memory instead of LevelDB under `<dataDir>/dynamodb`. */
  readonly inMemoryDynamoDb?: boolean;
  readonly tickMs?: number;
  readonly snapshotDebounceMs?: number;
  readonly maxBodyBytes?: number;
  readonly onRequest?: (event: RequestEvent) => void;
}

/** A running local cloud: the `Cloud` services see, plus what its owner needs to use and stop it. */
export interface LocalCloud extends Cloud {
  /** The first account's admin (the `Cloud` itself is that account's default Region). */
  readonly admin: AdminCredentials;
  /** Both accounts, the first one first. */
  readonly accounts: readonly LocalAccount[];
  /** Every (account, Region) scope; `scopes.cloud(accountId, region)` is what a request there is served by. */
  readonly scopes: Scopes;
  /** The Regions served. */
  readonly regions: readonly string[];
  readonly faults: ApiFaults;
  /** Writes the snapshot now. */
  flush(): Promise<void>;
  /** Stops ticking and serving, closes the data plane and DynamoDB, and writes the final snapshot. */
  close(): Promise<void>;
}

const realDataPlane = (cloud: Cloud): DataPlane =>
  createDataPlane({ view: createDataPlaneView(cloud), config: cloud.config });

export const DEFAULT_ACCOUNT_ID = '123456789012';
/** The second account's id: AWS's documentation uses it for "another account". */
export const SECOND_ACCOUNT_ID = '111122223333';
export const DEFAULT_REGION = 'us-west-2';

export const newAdminCredentials = (): AdminCredentials => ({
  accessKeyId: iamId('AKIA', 16),
  secretAccessKey: randomSecret(),
});

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * Assembles and starts a local cloud (docs/local-cloud.md): restores the last snapshot from `<dataDir>/state.json`,
 * binds the gateway on 127.0.0.1, embeds DynamoDB, builds the data plane and lets it reconcile (restarting
 * the instances the snapshot holds), and ticks service modules. `commit()` persists the state (debounced,
 * atomic) and asks the data plane to reconcile.
 */
export async function openLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const region = options.region ?? DEFAULT_REGION;
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  const accounts: LocalAccount[] = [
    { accountId: options.accountId ?? DEFAULT_ACCOUNT_ID, admin: options.admin ?? newAdminCredentials() },
    {
      accountId: options.secondAccount?.accountId ?? SECOND_ACCOUNT_ID,
      admin: options.secondAccount?.admin ?? newAdminCredentials(),
    },
  ];
  const [first, second] = accounts as [LocalAccount, LocalAccount];
  if (first.accountId === second.accountId || first.admin.accessKeyId === second.admin.accessKeyId)
    throw new RangeError('the two accounts need different ids and admin keys');
  const admin = first.admin;
  const state = readSnapshot(options.dataDir, { accountId: first.accountId, region });
  const homeZones =
    options.zones ??
    (Object.hasOwn(REGION_ZONES, region)
      ? zonesOf(region)
      : ['a', 'b', 'c', 'd'].map((z) => `${region}${z}`));
  const regions = Object.hasOwn(REGION_ZONES, region)
    ? Object.keys(REGION_ZONES)
    : [region, ...Object.keys(REGION_ZONES)];

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('starting\n');
  };
  const server = createServer((req, res) => handler(req, res));
  // Slow or stalled clients must not pin sockets forever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  const port = await listen(server, options.port ?? 0);

  const clock: Clock = { now: () => Date.now(), scaled: (ms) => ms * timeScale };
  const snapshot = new SnapshotWriter(options.dataDir, () => state, options.snapshotDebounceMs ?? 50);
  const faults = new ApiFaults();

  let dataplane: DataPlane = new ModelOnlyDataPlane();
  const commit = (): void => {
    snapshot.schedule();
    dataplane.reconcile();
  };
  const scopes = new Scopes(state, {
    config: { timeScale, dataDir: options.dataDir, endpoint: `http://127.0.0.1:${port}` },
    clock,
    dataplane: () => dataplane,
    commit,
    zonesOf: (r) => (r === region ? homeZones : zonesOf(r)),
  });
  const home = scopes.cloud(first.accountId, region);
  const config: LocalCloudConfig = home.config;
  const cloud: LocalCloud = {
    config,
    state: home.state,
    clock,
    get dataplane() {
      return dataplane;
    },
    admin,
    accounts,
    scopes,
    regions,
    faults,
    commit,
    flush: () => snapshot.flush(),
    close: async () => undefined,
  };

  const rawServices: RawService[] = [];
  try {
    dataplane = (options.dataplane ?? realDataPlane)(cloud);
    rawServices.push(
      createDynamoDb(cloud, {
        inMemory: options.inMemoryDynamoDb === true,
        home: { accountId: first.accountId, region },
      }),
    );
  } catch (error: unknown) {
    await closeServer(server);
    await dataplane.close();
    throw error;
  }

  const services = options.services ?? serviceModules;
  handler = createGateway({
    cloud,
    scopes,
    accounts,
    homeRegion: region,
    regions,
    services,
    rawServices,
    faults,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    control: createControlHandler({ cloud, faults, adminSecret: admin.secretAccessKey }),
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  });

  const tickers = services.filter((s) => s.tick !== undefined);
  const ticker =
    tickers.length === 0
      ? undefined
      : setInterval(() => {
          // Every account and Region has its own Auto Scaling loop, as on AWS.
          for (const scope of scopes.all()) {
            for (const s of tickers) {
              try {
                s.tick?.(scope);
              } catch {
                // A failing tick must not stop the others; the next tick retries.
              }
            }
          }
        }, options.tickMs ?? 100);
  ticker?.unref();
  dataplane.reconcile();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (ticker !== undefined) clearInterval(ticker);
      await closeServer(server);
      await dataplane.close();
      await Promise.all(rawServices.map((r) => r.close()));
      await snapshot.flush();
    })();
    return closing;
  };
  Object.assign(cloud, { close });
  return cloud;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
