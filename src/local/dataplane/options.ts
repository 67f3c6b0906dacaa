/**
 * Every choice the AWS documentation leaves open (docs/local-cloud.md#where-aws-leaves-room) and every duration of the data
 * plane, in one place. Durations are the configured (AWS-scale) values in milliseconds; `scaledOptions`
 * multiplies them by the local cloud's time scale once, so the modules below only ever see real delays.
 */
import type { LocalCloudConfig } from '../contracts.ts';

export interface WorkloadCommand {
  /** Script run by `process.execPath`; relative paths are resolved against the package root. */
  readonly entry: string;
  /** Extra Node flags, e.g. a heap cap that keeps each instance small. */
  readonly nodeArgs: readonly string[];
  /**
   * Run `src/server` as the JavaScript that user data ships to EC2 (`shipped-server.ts`) instead of
   * `entry`: no TypeScript stripper in the instance process (about 19 MiB less RSS each). Falls back to
   * `entry` if the shipped files cannot be built.
   */
  readonly shippedServer?: boolean;
}

export interface DataPlaneOptions {
  readonly workload: WorkloadCommand;
  /** EC2 boot before the workload starts (AWS: tens of seconds; INF). */
  readonly bootMs: number;
  /** Time an instance is down during RebootInstances before the workload starts again (INF). */
  readonly rebootMs: number;
  /** SIGTERM → SIGKILL deadline when an instance stops or terminates. */
  readonly stopGraceMs: number;
  /** Registration before the first health check: `Elb.RegistrationInProgress` (docs/local-cloud.md#where-aws-leaves-room). */
  readonly registrationDelayMs: number;
  /** Successes a newly registered target needs (docs: 1; field reports: HealthyThresholdCount). */
  readonly initialHealthyThreshold: 1 | 'healthy-threshold-count';
  /** Whether `initial` targets join the fail-open pool (docs/local-cloud.md#routing-and-fail-open). */
  readonly initialTargetsFailOpen: boolean;
  /** ALB idle timeout: no response bytes from a target for this long → 504 (default 60 s). */
  readonly idleTimeoutMs: number;
  /** ALB connect timeout to targets (10 s). */
  readonly connectTimeoutMs: number;
  /** Floor for scaled health-check timeouts, so a tiny time scale cannot make every probe time out. */
  readonly minProbeTimeoutMs: number;
  /** Floor for scaled idle/connect timeouts, for the same reason. */
  readonly minProxyTimeoutMs: number;
  /** Refresh IMDS role credentials this long before they expire (EC2: "at least five minutes"; unscaled). */
  readonly credentialRefreshMarginMs: number;
  /** Maximum keep-alive sockets the load balancer pools per target. */
  readonly maxSocketsPerTarget: number;
}

export const DEFAULT_OPTIONS: DataPlaneOptions = {
  workload: {
    entry: 'src/server/main.ts',
    // --single-threaded-gc: on a busy machine a parallel scavenge waits for helper threads the scheduler
    // does not run, stretching a sub-millisecond pause into tens of ms (measured: p99 at 500 req/s
    // through the LB, median of 5 runs, 105 → 33 ms; CPU per request and RSS unchanged).
    nodeArgs: ['--max-old-space-size=64', '--max-semi-space-size=4', '--single-threaded-gc'],
    shippedServer: true,
  },
  bootMs: 20_000,
  rebootMs: 10_000,
  stopGraceMs: 5_000,
  registrationDelayMs: 1_000,
  initialHealthyThreshold: 1,
  initialTargetsFailOpen: true,
  idleTimeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  minProbeTimeoutMs: 200,
  minProxyTimeoutMs: 500,
  credentialRefreshMarginMs: 5 * 60_000,
  maxSocketsPerTarget: 64,
};

/** Options as they elapse here: every AWS-scale duration multiplied by the time scale. */
export interface ScaledOptions extends DataPlaneOptions {
  readonly timeScale: number;
  scale(ms: number): number;
}

export function scaledOptions(config: LocalCloudConfig, overrides: Partial<DataPlaneOptions>): ScaledOptions {
  const merged = { ...DEFAULT_OPTIONS, ...overrides };
  const timeScale = config.timeScale > 0 ? config.timeScale : 1;
  const scale = (ms: number): number => Math.max(0, Math.round(ms * timeScale));
  return {
    ...merged,
    timeScale,
    scale,
    bootMs: scale(merged.bootMs),
    rebootMs: scale(merged.rebootMs),
    stopGraceMs: Math.max(200, scale(merged.stopGraceMs)),
    registrationDelayMs: scale(merged.registrationDelayMs),
    idleTimeoutMs: Math.max(merged.minProxyTimeoutMs, scale(merged.idleTimeoutMs)),
    connectTimeoutMs: Math.max(merged.minProxyTimeoutMs, scale(merged.connectTimeoutMs)),
  };
}
