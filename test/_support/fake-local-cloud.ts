/**
 * Test doubles for unit tests of the EC2-family service models: a cloud whose clock only moves when the
 * test says so (no sleeping, no timing assertions), a data plane that records what it was asked, and a
 * helper that starts a real local cloud with the Auto Scaling and SSM modules registered.
 */
import type { CallContext, Cloud, DataPlane, TargetHealthObservation } from '../../src/local/contracts.ts';
import { autoScalingService } from '../../src/local/services/autoscaling/index.ts';
import { serviceModules } from '../../src/local/services/index.ts';
import { ssmService } from '../../src/local/services/ssm/index.ts';
import { startTestLocalCloud, type TestLocalCloud } from './local-cloud.ts';
import { until } from './poll.ts';

export class FakeDataPlane implements DataPlane {
  nextPort = 40_000;
  readonly released: string[] = [];
  reconciles = 0;
  readonly health = new Map<string, TargetHealthObservation>();
  readonly status = new Map<string, 'ok' | 'impaired' | 'initializing'>();

  async reserveLoadBalancerPort(): Promise<number> {
    this.nextPort += 1;
    return this.nextPort;
  }
  async releaseLoadBalancer(arn: string): Promise<void> {
    this.released.push(arn);
  }
  reconcile(): void {
    this.reconciles += 1;
  }
  targetHealth(targetGroupArn: string, targetId: string): TargetHealthObservation | undefined {
    return this.health.get(`${targetGroupArn}|${targetId}`);
  }
  instanceStatus(instanceId: string) {
    return this.status.get(instanceId);
  }
  injectInstanceFault(): void {}
  async close(): Promise<void> {}
}

export interface FakeLocalCloud extends Cloud {
  readonly dataplane: FakeDataPlane;
  /** Moves the clock forward by `ms` (real milliseconds). */
  advance(ms: number): void;
  commits: number;
}

/** A cloud with a manual clock starting at a fixed epoch; `timeScale` 1 unless given. */
export function fakeLocalCloud(options: { timeScale?: number; zones?: string[] } = {}): FakeLocalCloud {
  let now = Date.UTC(2026, 0, 1);
  const timeScale = options.timeScale ?? 1;
  const dataplane = new FakeDataPlane();
  const cloud: FakeLocalCloud = {
    config: {
      accountId: '123456789012',
      region: 'us-west-2',
      zones: options.zones ?? ['us-west-2a', 'us-west-2b', 'us-west-2c', 'us-west-2d'],
      timeScale,
      dataDir: '/nonexistent',
      endpoint: 'http://127.0.0.1:1',
    },
    state: {},
    clock: { now: () => now, scaled: (ms) => ms * timeScale },
    dataplane,
    commits: 0,
    commit() {
      cloud.commits += 1;
      dataplane.reconcile();
    },
    advance(ms: number) {
      now += ms;
    },
  };
  return cloud;
}

export function adminContext(cloud: Cloud): CallContext {
  return {
    requestId: 'test-request',
    cloud,
    principal: {
      kind: 'admin',
      accountId: cloud.config.accountId,
      arn: `arn:aws:iam::${cloud.config.accountId}:root`,
      accessKeyId: 'AKIATESTADMIN0000000',
    },
  };
}

/** Every registered service plus Auto Scaling and SSM (until the shared registry lists them itself). */
export function allServices() {
  const names = new Set(serviceModules.map((s) => s.signingName));
  return [...serviceModules, ...[autoScalingService, ssmService].filter((s) => !names.has(s.signingName))];
}

/** A real local cloud on a free port with every EC2-family service; time scale 0.01 unless given. */
export function startCloud(timeScale = 0.01): Promise<TestLocalCloud> {
  return startTestLocalCloud({ timeScale, services: allServices() });
}

/** Polls `probe` until it returns a value; a throwing probe counts as "not yet" (`test/_support/poll.ts`). */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  return until(what, probe, { deadlineMs, intervalMs, retryErrors: true });
}
