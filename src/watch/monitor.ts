/**
 * The live view's monitor: a low-rate probe through the load balancer (a few GETs per second, each
 * marked `x-resilient-probe: watch` and `?probe=watch`, so the instances' logs and the journal tell
 * them apart from the run's own) and a health read (DescribeTargetHealth + DescribeAutoScalingGroups) a few times per
 * health-check interval. Both are the drill's probes (src/probes): this file only schedules them and
 * says when the cloud cannot be reached. Read-only: it never changes anything on the cloud.
 */
import type { Aws } from '../aws/index.ts';
import type { RunEvent, TargetHealthView } from '../events.ts';
import type { Get } from '../probes/batch.ts';
import { startContinuousProbe } from '../probes/continuous.ts';
import { healthProbe } from '../probes/health.ts';
import { MONITOR_PROBE } from '../report/view.js';
import { httpGet } from '../steps/http.ts';

/** The header every monitor GET carries (and its value): instances log it, the journal names the probe. */
export const PROBE_HEADER = 'x-resilient-probe';

export interface MonitorTarget {
  readonly url: string;
  readonly targetGroupArn: string;
  readonly groupName: string;
}

export interface CloudStatus {
  readonly reachable: boolean;
  readonly detail: string;
}

export interface MonitorOptions {
  /** Where the deployment is, once it has a load balancer (read from the checkpoint); undefined until then. */
  locate(): MonitorTarget | undefined;
  readonly aws: Pick<Aws, 'elbv2' | 'autoscaling'>;
  /** GETs per second through the load balancer (default 2). */
  readonly rate?: number;
  /** How often target health is read (default 1 s). */
  readonly healthIntervalMs?: number;
  emit(event: RunEvent): void;
  onCloud?(status: CloudStatus): void;
  readonly get?: Get;
}

export interface Monitor {
  stop(): Promise<void>;
  readonly running: boolean;
}

export const DEFAULT_PROBE_RATE = 2;

/**
 * A GET marked as the monitor's twice over: the header, and `?probe=watch`, which the server ignores
 * for routing and writes in its request log (`path`), so an instance's log tells the two apart too.
 * Classified like every probe GET; never throws.
 */
export const markedGet: Get = (url, timeoutMs) =>
  httpGet(url.includes('?') ? url : `${url}?probe=${MONITOR_PROBE}`, timeoutMs, {
    [PROBE_HEADER]: MONITOR_PROBE,
    'user-agent': 'resilient-watch',
  });

const sameTargets = (a: readonly TargetHealthView[], b: readonly TargetHealthView[]): boolean =>
  JSON.stringify(a.map((t) => [t.id, t.state, t.reason])) ===
  JSON.stringify(b.map((t) => [t.id, t.state, t.reason]));

/**
 * A sleep that removes its abort listener when it ends: the monitor sleeps a few times per second for
 * as long as a page is open, so a listener left behind per sleep would pile up on its signal.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Starts probing as soon as `locate` finds the deployment; `stop` ends both loops. */
export function startMonitor(options: MonitorOptions): Monitor {
  const controller = new AbortController();
  const { signal } = controller;
  const rate = options.rate ?? DEFAULT_PROBE_RATE;
  const healthEvery = options.healthIntervalMs ?? 1000;
  const batchSize = Math.max(1, Math.round(rate));
  const intervalMs = Math.max(0, Math.round((1000 * batchSize) / rate) - 5);
  let cloud: CloudStatus | undefined;
  const setCloud = (next: CloudStatus) => {
    if (cloud?.reachable === next.reachable && cloud.detail === next.detail) return;
    cloud = next;
    options.onCloud?.(next);
  };

  const loop = (async () => {
    let target: MonitorTarget | undefined;
    while (!signal.aborted && target === undefined) {
      target = options.locate();
      if (target === undefined) await sleep(500, signal).catch(() => {});
    }
    if (target === undefined || signal.aborted) return;
    const where = target;
    const probe = startContinuousProbe({
      probe: MONITOR_PROBE,
      url: where.url,
      batchSize,
      timeoutMs: 5000,
      intervalMs,
      get: options.get ?? markedGet,
      sleep: sleep,
      signals: [signal],
      onBatch: (batch) => options.emit({ type: 'probe-sample', sample: batch.sample }),
    });
    const health = healthProbe({
      aws: options.aws,
      targetGroupArn: where.targetGroupArn,
      groupName: where.groupName,
    });
    let last: readonly TargetHealthView[] = [];
    let lastAt = 0;
    while (!signal.aborted) {
      try {
        const sample = await health.read(signal);
        setCloud({ reachable: true, detail: '' });
        // A change is recorded at once; a steady state every few seconds, so a timeline has no holes.
        if (
          !sameTargets(sample.targets, last) ||
          sample.at - lastAt >= 5000 ||
          sample.instances.some((i) => i.lifecycle === 'Terminated')
        ) {
          options.emit({
            type: 'health-sample',
            at: sample.at,
            targets: sample.targets,
            instances: sample.instances,
          });
          last = sample.targets;
          lastAt = sample.at;
        }
      } catch (error: unknown) {
        if (signal.aborted) break;
        setCloud({ reachable: false, detail: error instanceof Error ? error.message : String(error) });
      }
      await sleep(healthEvery, signal).catch(() => {});
    }
    await probe.stop();
  })();

  return {
    get running() {
      return !signal.aborted;
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
