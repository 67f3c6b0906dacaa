/**
 * Health checks of one target group that a load balancer uses. Each registered (non-draining) target is
 * checked on a fixed-rate schedule — "the time that it takes for the target to respond does not affect
 * the interval for the next health check request" (docs/local-cloud.md#health-checks) — after a registration delay
 * during which it shows `Elb.RegistrationInProgress`.
 */
import type { HealthCheckSpec, TargetGroupSpec, TargetHealthObservation } from '../contracts.ts';
import { probe } from './health-probe.ts';
import type { ScaledOptions } from './options.ts';
import {
  applyProbe,
  type HealthRecord,
  registeredRecord,
  startChecking,
  type Thresholds,
} from './target-health.ts';

export interface TargetAddressing {
  /** Loopback port reaching `port` on the target instance, or undefined (nothing answers there). */
  endpointFor(targetId: string, port: number): number | undefined;
  /** The instance's private IP, for the Host header. */
  privateIpOf(targetId: string): string | undefined;
}

export interface HealthTransition {
  readonly targetGroupArn: string;
  readonly targetId: string;
  readonly port: number;
  readonly from: TargetHealthObservation;
  readonly to: TargetHealthObservation;
  readonly at: number;
}

interface CheckedTarget {
  readonly id: string;
  readonly port: number;
  record: HealthRecord;
  timer: NodeJS.Timeout | undefined;
  /** Probes are numbered so a late result never overwrites a newer one. */
  sent: number;
  applied: number;
}

const MIN_INTERVAL_MS = 20;

export const targetKey = (id: string, port: number): string => `${id}:${port}`;

export class TargetGroupChecker {
  readonly arn: string;
  readonly #options: ScaledOptions;
  readonly #addressing: TargetAddressing;
  readonly #onTransition: (transition: HealthTransition) => void;
  readonly #targets = new Map<string, CheckedTarget>();
  #spec: TargetGroupSpec;
  #settingsKey: string;

  constructor(
    spec: TargetGroupSpec,
    options: ScaledOptions,
    addressing: TargetAddressing,
    onTransition: (transition: HealthTransition) => void,
  ) {
    this.arn = spec.arn;
    this.#spec = spec;
    this.#settingsKey = JSON.stringify(spec.healthCheck);
    this.#options = options;
    this.#addressing = addressing;
    this.#onTransition = onTransition;
    this.sync(spec);
  }

  /** Follows registrations, deregistrations and changed health-check settings. */
  sync(spec: TargetGroupSpec): void {
    this.#spec = spec;
    const settingsKey = JSON.stringify(spec.healthCheck);
    const settingsChanged = settingsKey !== this.#settingsKey;
    this.#settingsKey = settingsKey;
    const wanted = new Set<string>();
    for (const target of spec.targets) {
      if (target.drainingUntil !== undefined) continue; // draining targets are no longer checked
      const key = targetKey(target.id, target.port);
      wanted.add(key);
      const existing = this.#targets.get(key);
      if (existing === undefined) this.#register(key, target.id, target.port);
      else if (settingsChanged) this.#schedule(existing, 0);
    }
    for (const [key, checked] of this.#targets) {
      if (wanted.has(key)) continue;
      clearTimeout(checked.timer);
      clearInterval(checked.timer);
      this.#targets.delete(key);
    }
  }

  observation(targetId: string, port: number): TargetHealthObservation | undefined {
    return this.#targets.get(targetKey(targetId, port))?.record.observation;
  }

  close(): void {
    for (const checked of this.#targets.values()) {
      clearTimeout(checked.timer);
      clearInterval(checked.timer);
    }
    this.#targets.clear();
  }

  #register(key: string, id: string, port: number): void {
    const checked: CheckedTarget = {
      id,
      port,
      record: registeredRecord(),
      timer: undefined,
      sent: 0,
      applied: 0,
    };
    this.#targets.set(key, checked);
    this.#schedule(checked, this.#options.registrationDelayMs);
  }

  #schedule(checked: CheckedTarget, firstDelayMs: number): void {
    clearTimeout(checked.timer);
    clearInterval(checked.timer);
    checked.timer = setTimeout(() => {
      if (this.#targets.get(targetKey(checked.id, checked.port)) !== checked) return;
      this.#set(checked, startChecking(checked.record));
      this.#check(checked);
      checked.timer = setInterval(() => this.#check(checked), this.#intervalMs());
      checked.timer.unref();
    }, firstDelayMs);
    checked.timer.unref();
  }

  #intervalMs(): number {
    return Math.max(MIN_INTERVAL_MS, this.#options.scale(this.#spec.healthCheck.intervalSeconds * 1000));
  }

  #check(checked: CheckedTarget): void {
    const hc: HealthCheckSpec = this.#spec.healthCheck;
    const port = hc.port === 'traffic-port' ? checked.port : Number(hc.port);
    const sequence = ++checked.sent;
    const ip = this.#addressing.privateIpOf(checked.id) ?? '127.0.0.1';
    void probe({
      endpoint: this.#addressing.endpointFor(checked.id, port),
      path: hc.path,
      hostHeader: `${ip}:${port}`,
      matcher: hc.matcher,
      timeoutMs: Math.max(this.#options.minProbeTimeoutMs, this.#options.scale(hc.timeoutSeconds * 1000)),
    }).then((result) => {
      if (this.#targets.get(targetKey(checked.id, checked.port)) !== checked || sequence < checked.applied)
        return;
      checked.applied = sequence;
      this.#set(checked, applyProbe(checked.record, result, this.#thresholds()));
    });
  }

  #thresholds(): Thresholds {
    const hc = this.#spec.healthCheck;
    return {
      healthy: hc.healthyThresholdCount,
      unhealthy: hc.unhealthyThresholdCount,
      initialHealthy: this.#options.initialHealthyThreshold === 1 ? 1 : hc.healthyThresholdCount,
    };
  }

  #set(checked: CheckedTarget, next: HealthRecord): void {
    const from = checked.record.observation;
    checked.record = next;
    if (from === next.observation) return;
    const to = next.observation;
    if (from.state === to.state && from.reason === to.reason && from.description === to.description) return;
    this.#onTransition({
      targetGroupArn: this.arn,
      targetId: checked.id,
      port: checked.port,
      from,
      to,
      at: Date.now(),
    });
  }
}
