/**
 * The local cloud's data plane (docs/local-cloud.md): brings instance processes, IMDS endpoints, load-balancer
 * listeners and health checkers in line with the control plane's `DataPlaneView`. `reconcile()` is
 * idempotent and cheap; it runs on every commit and on a short resync timer, because some transitions
 * (pending → running, draining → gone) are derived from timestamps and need no commit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { BUILT, PACKAGE_ROOT } from '../../package-root.ts';
import type {
  DataPlane,
  DataPlaneView,
  InstanceFault,
  InstanceSpec,
  LoadBalancerSpec,
  LocalCloudConfig,
  TargetGroupSpec,
  TargetHealthObservation,
} from '../contracts.ts';
import type { DataPlaneEvent } from './events.ts';
import { TargetGroupChecker } from './health-checker.ts';
import { type InstanceDeps, InstanceRuntime } from './instance-runtime.ts';
import { LoadBalancerServer } from './load-balancer.ts';
import { type DataPlaneOptions, type ScaledOptions, scaledOptions } from './options.ts';
import { writeShippedServer } from './shipped-server.ts';
import { DRAINING, NOT_IN_USE, REGISTRATION_IN_PROGRESS } from './target-health.ts';

export interface CreateDataPlaneInput extends Partial<DataPlaneOptions> {
  readonly view: DataPlaneView;
  readonly config: LocalCloudConfig;
  readonly onEvent?: (event: DataPlaneEvent) => void;
  /** Where relative workload entries resolve (default: this package's root). */
  readonly packageRoot?: string;
  /** Real-time period of the safety resync (default 250 ms). */
  readonly resyncMs?: number;
}

const RUNNABLE: ReadonlySet<InstanceSpec['state']> = new Set(['pending', 'running']);

export function createDataPlane(input: CreateDataPlaneInput): DataPlane {
  const { view, config, onEvent, packageRoot, resyncMs, ...overrides } = input;
  return new LocalDataPlane(view, config, scaledOptions(config, overrides), {
    emit: onEvent ?? (() => undefined),
    packageRoot: packageRoot ?? PACKAGE_ROOT,
    resyncMs: resyncMs ?? 250,
  });
}

interface Extras {
  readonly emit: (event: DataPlaneEvent) => void;
  readonly packageRoot: string;
  readonly resyncMs: number;
}

class LocalDataPlane implements DataPlane {
  readonly #view: DataPlaneView;
  readonly #options: ScaledOptions;
  readonly #emit: (event: DataPlaneEvent) => void;
  readonly #deps: InstanceDeps;
  readonly #instances = new Map<string, InstanceRuntime>();
  readonly #loadBalancers = new Map<string, LoadBalancerServer>();
  /** Load balancers the view has listed at least once: when they vanish from it, their server closes. */
  readonly #seenLoadBalancers = new Set<string>();
  readonly #binding = new Set<string>();
  readonly #checkers = new Map<string, TargetGroupChecker>();
  #instanceSpecs = new Map<string, InstanceSpec>();
  #lbSpecs = new Map<string, LoadBalancerSpec>();
  #tgSpecs = new Map<string, TargetGroupSpec>();
  readonly #closing = new Set<Promise<void>>();
  #entry: string | undefined;
  readonly #resync: NodeJS.Timeout;
  #closed = false;

  constructor(view: DataPlaneView, config: LocalCloudConfig, options: ScaledOptions, extras: Extras) {
    this.#view = view;
    this.#options = options;
    this.#emit = extras.emit;
    const instancesDir = join(config.dataDir, 'instances');
    mkdirSync(instancesDir, { recursive: true });
    // Both AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE point here: the SDK finds no profile at all.
    const emptyAwsFile = join(instancesDir, 'empty-aws-file');
    writeFileSync(emptyAwsFile, '');
    this.#deps = {
      options,
      config,
      view: {
        instances: () => view.instances(),
        loadBalancers: () => view.loadBalancers(),
        targetGroups: () => view.targetGroups(),
        issueRoleCredentials: (role, id) => view.issueRoleCredentials(role, id),
        reportInstanceImpaired: (id, reason) => {
          this.#emit({ kind: 'instance-impaired', instanceId: id, reason });
          if (!this.#closed) view.reportInstanceImpaired(id, reason);
        },
      },
      packageRoot: extras.packageRoot,
      instancesDir,
      emptyAwsFile,
      now: Date.now,
      workloadEntry: () => this.#workloadEntry(config.dataDir, extras.packageRoot),
    };
    this.#resync = setInterval(() => this.reconcile(), extras.resyncMs);
    this.#resync.unref();
    this.reconcile();
  }

  async reserveLoadBalancerPort(loadBalancerArn: string): Promise<number> {
    const existing = this.#loadBalancers.get(loadBalancerArn);
    if (existing !== undefined && existing.port !== 0) return existing.port;
    const server = this.#newLoadBalancer(loadBalancerArn);
    this.#loadBalancers.set(loadBalancerArn, server);
    return server.listen(0);
  }

  async releaseLoadBalancer(loadBalancerArn: string): Promise<void> {
    const server = this.#loadBalancers.get(loadBalancerArn);
    this.#loadBalancers.delete(loadBalancerArn);
    this.#seenLoadBalancers.delete(loadBalancerArn);
    await server?.close();
  }

  reconcile(): void {
    if (this.#closed) return;
    this.#instanceSpecs = new Map(this.#view.instances().map((i) => [i.instanceId, i]));
    this.#lbSpecs = new Map(this.#view.loadBalancers().map((lb) => [lb.arn, lb]));
    this.#tgSpecs = new Map(this.#view.targetGroups().map((tg) => [tg.arn, tg]));
    this.#reconcileInstances();
    this.#reconcileLoadBalancers();
    this.#reconcileCheckers();
  }

  targetHealth(targetGroupArn: string, targetId: string, port: number): TargetHealthObservation | undefined {
    const group = this.#tgSpecs.get(targetGroupArn);
    const target = group?.targets.find((t) => t.id === targetId && t.port === port);
    if (target === undefined) return undefined;
    if (target.drainingUntil !== undefined) return DRAINING;
    const instanceState = this.#instanceSpecs.get(targetId)?.state;
    if (instanceState === 'stopped' || instanceState === 'terminated') {
      return {
        state: 'unused',
        reason: 'Target.InvalidState',
        description: `Target is in the ${instanceState} state`,
      };
    }
    const checker = this.#checkers.get(targetGroupArn);
    if (checker === undefined) return NOT_IN_USE;
    return checker.observation(targetId, port) ?? REGISTRATION_IN_PROGRESS;
  }

  instanceStatus(instanceId: string): 'ok' | 'impaired' | 'initializing' | undefined {
    return this.#instances.get(instanceId)?.status();
  }

  injectInstanceFault(instanceId: string, fault: InstanceFault): void {
    this.#instances.get(instanceId)?.injectFault(fault);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#resync);
    for (const checker of this.#checkers.values()) checker.close();
    this.#checkers.clear();
    const all = [
      ...[...this.#instances.values()].map((i) => i.close()),
      ...[...this.#loadBalancers.values()].map((lb) => lb.close()),
      ...this.#closing,
    ];
    this.#instances.clear();
    this.#loadBalancers.clear();
    // Each instance stop is bounded by SIGKILL after the grace period; this is the outer deadline.
    const deadline = this.#options.stopGraceMs + 5_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(all),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadline);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Test and diagnostics access: the instance runtime (pid, IMDS endpoint). Not part of the contract. */
  instance(instanceId: string): InstanceRuntime | undefined {
    return this.#instances.get(instanceId);
  }

  /** The workload's script, resolved (and for the shipped server, written) at the first launch only. */
  #workloadEntry(dataDir: string, packageRoot: string): string {
    if (this.#entry !== undefined) return this.#entry;
    const { workload } = this.#options;
    // The npm package runs the built JavaScript (Node does not strip types under node_modules).
    const relative = BUILT ? join('dist', workload.entry.replace(/\.ts$/, '.js')) : workload.entry;
    let entry = isAbsolute(workload.entry) ? workload.entry : join(packageRoot, relative);
    if (workload.shippedServer === true) {
      try {
        entry = writeShippedServer(join(dataDir, 'server'), packageRoot);
      } catch (error: unknown) {
        this.#emit({
          kind: 'shipped-server-unavailable',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.#entry = entry;
    return entry;
  }

  #reconcileInstances(): void {
    for (const spec of this.#instanceSpecs.values()) {
      const runtime = this.#instances.get(spec.instanceId);
      if (runtime === undefined) {
        if (RUNNABLE.has(spec.state))
          this.#instances.set(spec.instanceId, new InstanceRuntime(spec, this.#deps));
      } else if (!runtime.update(spec)) {
        this.#retireInstance(runtime);
      }
    }
    for (const runtime of this.#instances.values()) {
      if (!this.#instanceSpecs.has(runtime.instanceId)) this.#retireInstance(runtime);
    }
  }

  #retireInstance(runtime: InstanceRuntime): void {
    this.#instances.delete(runtime.instanceId);
    const closing = runtime.close();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  #reconcileLoadBalancers(): void {
    for (const spec of this.#lbSpecs.values()) {
      this.#seenLoadBalancers.add(spec.arn);
      let server = this.#loadBalancers.get(spec.arn);
      if (server === undefined && !this.#binding.has(spec.arn)) server = this.#restoreLoadBalancer(spec);
      const group = this.#tgSpecs.get(spec.listeners[0]?.targetGroupArn ?? '');
      server?.cutTargetsOutside(new Set(group?.targets.map((t) => `${t.id}:${t.port}`) ?? []));
    }
    for (const arn of [...this.#seenLoadBalancers]) {
      if (!this.#lbSpecs.has(arn)) void this.releaseLoadBalancer(arn);
    }
  }

  /** After a restart: bind the port recorded in the spec again, so the DNSName stays true. */
  #restoreLoadBalancer(spec: LoadBalancerSpec): LoadBalancerServer | undefined {
    const server = this.#newLoadBalancer(spec.arn);
    this.#binding.add(spec.arn);
    server.listen(spec.port).then(
      () => {
        this.#binding.delete(spec.arn);
        if (this.#closed || !this.#lbSpecs.has(spec.arn)) void server.close();
        else this.#loadBalancers.set(spec.arn, server);
      },
      (error: unknown) => {
        // Port taken by someone else: stay unbound (the DNSName must not lie) and retry on a later
        // reconcile, at most once a second.
        this.#emit({
          kind: 'load-balancer-bind-failed',
          loadBalancerArn: spec.arn,
          port: spec.port,
          error: error instanceof Error ? error.message : String(error),
        });
        setTimeout(() => this.#binding.delete(spec.arn), 1_000).unref();
      },
    );
    return undefined;
  }

  #newLoadBalancer(arn: string): LoadBalancerServer {
    const server = new LoadBalancerServer(arn, {
      idleTimeoutMs: this.#options.idleTimeoutMs,
      connectTimeoutMs: this.#options.connectTimeoutMs,
      maxSocketsPerTarget: this.#options.maxSocketsPerTarget,
      initialTargetsFailOpen: this.#options.initialTargetsFailOpen,
    });
    server.attach({
      loadBalancer: () => this.#lbSpecs.get(arn),
      targetGroup: (tgArn) => this.#tgSpecs.get(tgArn),
      health: (tgArn, id, port) => this.targetHealth(tgArn, id, port),
      routeFor: (id, port) => this.#instances.get(id)?.routeFor(port),
    });
    return server;
  }

  #reconcileCheckers(): void {
    const used = new Set<string>();
    for (const lb of this.#lbSpecs.values()) for (const l of lb.listeners) used.add(l.targetGroupArn);
    for (const arn of used) {
      const spec = this.#tgSpecs.get(arn);
      if (spec === undefined) continue;
      const checker = this.#checkers.get(arn);
      if (checker === undefined) {
        this.#checkers.set(
          arn,
          new TargetGroupChecker(
            spec,
            this.#options,
            {
              endpointFor: (id, port) => this.#instances.get(id)?.endpointFor(port),
              privateIpOf: (id) => this.#instanceSpecs.get(id)?.privateIpAddress,
            },
            (transition) => this.#emit({ kind: 'target-health', transition }),
          ),
        );
      } else checker.sync(spec);
    }
    for (const [arn, checker] of this.#checkers) {
      if (used.has(arn) && this.#tgSpecs.has(arn)) continue;
      checker.close();
      this.#checkers.delete(arn);
    }
  }
}
