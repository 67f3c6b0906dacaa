/**
 * One EC2 instance on this machine: its metadata service, its fault relay (the instance's network
 * face) and its workload process, driven by the instance's spec. Lifecycle per docs/local-cloud.md#instance-profiles-and-reboots and
 * docs/local-cloud.md#instances: boot delay → workload starts; a new `bootId` (RebootInstances) stops it, waits the reboot
 * delay and starts it again (fetching the then-current role's credentials); a new `workloadGeneration`
 * (SendCommand restarting the server) restarts the process only; stopping/terminating stops it for good.
 * A workload that exits on its own is a crash: the instance is reported impaired, never silently gone.
 */
import { join } from 'node:path';
import { SERVER_ENV } from '../../server/env.ts';
import { parseServerEnv } from '../../userdata/server-env.ts';
import type { DataPlaneView, InstanceFault, InstanceSpec, LocalCloudConfig } from '../contracts.ts';
import { type FaultProxy, type Route, startFaultProxy } from './fault-proxy.ts';
import { type ImdsServer, startImdsServer } from './imds-server.ts';
import { instanceEnv } from './instance-env.ts';
import type { ScaledOptions } from './options.ts';
import { RoleCredentialCache } from './role-credentials.ts';
import { workloadServerEnv } from './workload-env.ts';
import { launchWorkload, type WorkloadProcess } from './workload-process.ts';

export interface InstanceDeps {
  readonly options: ScaledOptions;
  readonly config: LocalCloudConfig;
  readonly view: DataPlaneView;
  readonly packageRoot: string;
  readonly instancesDir: string;
  readonly emptyAwsFile: string;
  readonly now: () => number;
  /** Absolute path of the script the workload process runs (built once per data plane). */
  readonly workloadEntry: () => string;
}

type Phase = 'booting' | 'starting' | 'running' | 'impaired' | 'stopped';

const GONE_STATES: ReadonlySet<InstanceSpec['state']> = new Set([
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
]);
const DEFAULT_NOMINAL_PORT = 80;
const LISTEN_DEADLINE_MS = 30_000;

export class InstanceRuntime {
  readonly instanceId: string;
  readonly #deps: InstanceDeps;
  #spec: InstanceSpec;
  /** Parsed from the spec's user data once per spec, not per request (it is on the load balancer's path). */
  #nominalPort: number;
  #phase: Phase = 'booting';
  /** Bumped on every lifecycle change, so a stale boot timer or start never acts. */
  #epoch = 0;
  #bootTimer: NodeJS.Timeout | undefined;
  #process: WorkloadProcess | undefined;
  #imds: ImdsServer | undefined;
  #relay: FaultProxy | undefined;
  #ready: Promise<void>;
  /** Serializes process stop/start so a reboot during a restart cannot leave two workloads. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #credentials: RoleCredentialCache;
  readonly #launchedAt: number;

  constructor(spec: InstanceSpec, deps: InstanceDeps) {
    this.instanceId = spec.instanceId;
    this.#spec = spec;
    this.#nominalPort = nominalPortOf(spec);
    this.#deps = deps;
    this.#launchedAt = deps.now();
    this.#credentials = new RoleCredentialCache(
      (role) => deps.view.issueRoleCredentials(role, spec.instanceId),
      deps.options.credentialRefreshMarginMs,
      deps.now,
    );
    this.#ready = this.#openSockets();
    this.#scheduleStart(deps.options.bootMs);
  }

  /** The port (from the instance's server.env, 80 by default) its workload serves on, as AWS would see it. */
  get nominalPort(): number {
    return this.#nominalPort;
  }

  /**
   * Loopback port that reaches `port` on this instance (its relay, the network face health checks use),
   * or undefined when nothing could answer there.
   */
  endpointFor(port: number): number | undefined {
    if (this.#closed || port !== this.#nominalPort) return undefined;
    return this.#relay?.port;
  }

  /**
   * Where the load balancer sends a request for `port`: the workload itself while no fault is set and it
   * listens, else the relay (see `fault-proxy.ts`); undefined when nothing could answer there.
   */
  routeFor(port: number): Route | undefined {
    if (this.#closed || port !== this.#nominalPort) return undefined;
    return this.#relay?.route();
  }

  get imdsEndpoint(): string | undefined {
    return this.#imds?.endpoint;
  }

  get pid(): number | undefined {
    return this.#process?.pid;
  }

  /** Resolves once IMDS and the relay are bound (the workload may still be booting). */
  whenSocketsReady(): Promise<void> {
    return this.#ready;
  }

  status(): 'ok' | 'impaired' | 'initializing' | undefined {
    switch (this.#phase) {
      case 'booting':
      case 'starting':
        return 'initializing';
      case 'running':
        return 'ok';
      case 'impaired':
        return 'impaired';
      case 'stopped':
        return undefined;
    }
  }

  /** Applies the latest spec; returns false once the instance is gone for good. */
  update(spec: InstanceSpec): boolean {
    const previous = this.#spec;
    this.#spec = spec;
    if (spec.userData !== previous.userData) this.#nominalPort = nominalPortOf(spec);
    if (GONE_STATES.has(spec.state)) return false;
    if (spec.bootId !== previous.bootId) this.#reboot();
    else if (spec.workloadGeneration !== previous.workloadGeneration) this.#restartWorkload();
    return true;
  }

  injectFault(fault: InstanceFault): void {
    switch (fault.kind) {
      case 'crash':
        // Killed from outside, not stopped by us: the exit handler reports it like any crash.
        this.#process?.kill();
        return;
      case 'hang':
        this.#relay?.setFault({ kind: 'hang' });
        return;
      case 'slow':
        this.#relay?.setFault({ kind: 'slow', delayMs: Math.max(0, fault.delayMs) });
        return;
      case 'heal':
        this.#relay?.setFault({ kind: 'none' });
        return;
    }
  }

  /** Stops the workload (SIGTERM, then SIGKILL) and closes the instance's sockets. Bounded. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#epoch += 1;
    this.#phase = 'stopped';
    clearTimeout(this.#bootTimer);
    await this.#enqueue(() => this.#stopProcess());
    await this.#ready.catch(() => undefined);
    await Promise.all([this.#imds?.close(), this.#relay?.close()]);
  }

  async #openSockets(): Promise<void> {
    const liveSpec = (): InstanceSpec | undefined =>
      this.#deps.view.instances().find((i) => i.instanceId === this.instanceId) ?? this.#spec;
    const [imds, relay] = await Promise.all([
      startImdsServer({
        region: this.#spec.region,
        spec: liveSpec,
        credentials: this.#credentials,
        now: this.#deps.now,
        launchedAt: this.#launchedAt,
      }),
      startFaultProxy(),
    ]);
    this.#imds = imds;
    this.#relay = relay;
    if (this.#closed) await Promise.all([imds.close(), relay.close()]);
  }

  #reboot(): void {
    this.#epoch += 1;
    this.#phase = 'booting';
    clearTimeout(this.#bootTimer);
    this.#relay?.dropConnections();
    void this.#enqueue(() => this.#stopProcess());
    this.#scheduleStart(this.#deps.options.rebootMs);
  }

  #restartWorkload(): void {
    if (this.#phase === 'booting') return; // it starts with the current configuration anyway
    this.#epoch += 1;
    const epoch = this.#epoch;
    this.#phase = 'starting';
    void this.#enqueue(async () => {
      await this.#stopProcess();
      if (epoch === this.#epoch) await this.#startProcess(epoch);
    });
  }

  #scheduleStart(delayMs: number): void {
    const epoch = this.#epoch;
    this.#bootTimer = setTimeout(() => {
      if (epoch !== this.#epoch || this.#closed) return;
      this.#phase = 'starting';
      void this.#enqueue(() => this.#startProcess(epoch));
    }, delayMs);
    this.#bootTimer.unref();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain.then(step).catch(() => undefined);
    return this.#chain;
  }

  async #startProcess(epoch: number): Promise<void> {
    await this.#ready;
    if (epoch !== this.#epoch || this.#closed || this.#imds === undefined) return;
    const { options, config, packageRoot, instancesDir, emptyAwsFile } = this.#deps;
    const proc = launchWorkload({
      execPath: process.execPath,
      args: [...options.workload.nodeArgs, this.#deps.workloadEntry()],
      env: instanceEnv({
        inherited: process.env,
        serverEnv: workloadServerEnv(this.#spec.userData),
        region: this.#spec.region,
        endpoint: config.endpoint,
        imdsEndpoint: this.#imds.endpoint,
        emptyAwsFile,
      }),
      cwd: packageRoot,
      logFile: join(instancesDir, `${this.instanceId}.log`),
      listenDeadlineMs: LISTEN_DEADLINE_MS,
    });
    this.#process = proc;
    void proc.exited.then((exit) => this.#onExit(proc, epoch, exit.code, exit.signal));
    try {
      const port = await proc.listening;
      if (epoch !== this.#epoch || this.#process !== proc) return;
      this.#relay?.setUpstream(port);
      this.#phase = 'running';
    } catch (error: unknown) {
      // Never listened: kill it; the exit handler then reports the instance impaired.
      if (
        this.#process === proc &&
        epoch === this.#epoch &&
        !(error instanceof Error && /exited/.test(error.message))
      ) {
        proc.kill();
      }
    }
  }

  async #stopProcess(): Promise<void> {
    const proc = this.#process;
    if (proc === undefined) return;
    this.#process = undefined;
    this.#relay?.setUpstream(undefined);
    await proc.stop(this.#deps.options.stopGraceMs);
  }

  #onExit(proc: WorkloadProcess, epoch: number, code: number | null, signal: NodeJS.Signals | null): void {
    // Exits we asked for clear `#process` first; anything else is the workload dying on its own.
    if (this.#process !== proc || this.#closed) return;
    this.#process = undefined;
    this.#relay?.setUpstream(undefined);
    if (epoch !== this.#epoch) return;
    this.#phase = 'impaired';
    const reason = signal === null ? `workload exited with code ${code}` : `workload killed by ${signal}`;
    // Out of the current call stack: the view may commit and reconcile us again.
    setImmediate(() => this.#deps.view.reportInstanceImpaired(this.instanceId, reason));
  }
}

/** The port (from the instance's server.env, 80 by default) its workload serves on, as AWS would see it. */
function nominalPortOf(spec: InstanceSpec): number {
  const configured = Number(parseServerEnv(spec.userData)[SERVER_ENV.port]);
  return Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_NOMINAL_PORT;
}
