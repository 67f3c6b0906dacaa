/**
 * The benchmark's fleet: the local cloud's real data plane (instances as processes running the real
 * recommendation server, each with its IMDSv2 and fault relay; load balancers; ALB health checks) over a
 * small in-memory view, with the seed's health check (10 s interval, 5 s timeout, thresholds 2) and a
 * time scale. A group is a load balancer in front of its own target group of instances; instances of a
 * group share one server configuration (e.g. reference mode).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  DataPlane,
  HealthCheckSpec,
  LocalCloudConfig,
  TargetGroupSpec,
} from '../../src/local/contracts.ts';
import { createDataPlane } from '../../src/local/dataplane/data-plane.ts';
import type { InstanceRuntime } from '../../src/local/dataplane/instance-runtime.ts';
import { serverEnvBlock } from '../../src/userdata/server-env.ts';
import { FakeView, SHALLOW_CHECK } from '../_support/fake-view.ts';
import { BENCH_PARAMETERS } from './backend.ts';

/** The seed's health check (ALB's defaults with the seed's path and thresholds). */
export const SEED_CHECK: HealthCheckSpec = SHALLOW_CHECK;

export interface Group {
  readonly name: string;
  readonly lbPort: number;
  readonly targetGroupArn: string;
  instanceIds: string[];
}

export interface Fleet {
  readonly plane: DataPlane;
  readonly view: FakeView;
  readonly timeScale: number;
  addGroup(name: string, count: number, serverEnv: Record<string, string>): Promise<Group>;
  /** The workload's own port: what the load balancer calls while no fault is set. */
  instancePort(instanceId: string): number;
  instancePid(instanceId: string): number | undefined;
  healthOf(group: Group, instanceId: string): string | undefined;
  waitFor<T>(what: string, check: () => T | undefined, deadlineMs?: number): Promise<T>;
  /** Launches a new instance into the group (registered at once, as Auto Scaling does). */
  launch(group: Group): string;
  /** Deregisters an instance: draining for `delaySeconds` (scaled), then removed and terminated. */
  retire(group: Group, instanceId: string, delaySeconds: number): Promise<void>;
  stop(): Promise<void>;
}

const ZONES = ['us-west-2a', 'us-west-2b', 'us-west-2c'];

export function startFleet(backendEndpoint: string, timeScale: number): Fleet {
  const dataDir = mkdtempSync(join(tmpdir(), 'resilient-bench-'));
  const config: LocalCloudConfig = {
    accountId: '123456789012',
    region: 'us-west-2',
    zones: ZONES,
    timeScale,
    dataDir,
    endpoint: backendEndpoint,
  };
  const view = new FakeView();
  const plane = createDataPlane({ view, config });
  const runtime = (id: string): InstanceRuntime | undefined =>
    (plane as unknown as { instance(id: string): InstanceRuntime | undefined }).instance(id);
  const userData = new Map<string, string>();
  let serial = 0;

  const waitFor = async <T>(what: string, check: () => T | undefined, deadlineMs = 30_000): Promise<T> => {
    const start = Date.now();
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() - start > deadlineMs)
        throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const setTargets = (
    group: Group,
    change: (targets: TargetGroupSpec['targets']) => TargetGroupSpec['targets'],
  ) => {
    view.targetGroupList = view.targetGroupList.map((tg) =>
      tg.arn === group.targetGroupArn ? { ...tg, targets: change(tg.targets) } : tg,
    );
    plane.reconcile();
  };

  const newInstance = (groupName: string): string => {
    serial++;
    const id = `i-0bench${serial.toString(16).padStart(12, '0')}`;
    view.addInstance(id, {
      availabilityZone: ZONES[serial % ZONES.length] ?? 'us-west-2a',
      userData: userData.get(groupName) ?? '',
    });
    return id;
  };

  const healthOf = (group: Group, id: string) => plane.targetHealth(group.targetGroupArn, id, 80)?.state;

  return {
    plane,
    view,
    timeScale,
    waitFor,
    healthOf,
    async addGroup(name, count, serverEnv) {
      userData.set(
        name,
        [
          '#!/bin/bash',
          'mkdir -p /etc/resilient',
          serverEnvBlock({
            RESILIENT_PORT: '80',
            RESILIENT_TABLE_PARAMETER: BENCH_PARAMETERS.table,
            RESILIENT_FAILURE_RESPONSE_PARAMETER: BENCH_PARAMETERS.failureResponse,
            RESILIENT_HEALTH_CHECK_PARAMETER: BENCH_PARAMETERS.healthCheck,
            ...serverEnv,
          }),
          'systemctl start resilient',
        ].join('\n'),
      );
      const ids = Array.from({ length: count }, () => newInstance(name));
      const lbArn = `lb-${name}`;
      const tgArn = `tg-${name}`;
      const lbPort = await plane.reserveLoadBalancerPort(lbArn);
      view.targetGroupList = [
        ...view.targetGroupList,
        {
          arn: tgArn,
          port: 80,
          healthCheck: SEED_CHECK,
          targets: ids.map((id) => ({ id, port: 80, drainingUntil: undefined })),
        },
      ];
      view.loadBalancerList = [
        ...view.loadBalancerList,
        {
          arn: lbArn,
          port: lbPort,
          state: 'active',
          listeners: [{ arn: `l-${name}`, port: 80, targetGroupArn: tgArn }],
        },
      ];
      plane.reconcile();
      const group: Group = { name, lbPort, targetGroupArn: tgArn, instanceIds: ids };
      await waitFor(
        `${name} healthy`,
        () => (ids.every((id) => healthOf(group, id) === 'healthy') ? true : undefined),
        60_000,
      );
      return group;
    },
    instancePort(id) {
      // The workload's own port, as the load balancer reaches it while no fault is set (the relay is
      // only in the path during a fault): "direct" and HAProxy then pay no hop the LB does not.
      const port = runtime(id)?.routeFor(80)?.endpoint;
      if (port === undefined) throw new Error(`instance ${id} has no endpoint`);
      return port;
    },
    instancePid: (id) => runtime(id)?.pid,
    launch(group) {
      const id = newInstance(group.name);
      group.instanceIds = [...group.instanceIds, id];
      setTargets(group, (targets) => [...targets, { id, port: 80, drainingUntil: undefined }]);
      return id;
    },
    async retire(group, id, delaySeconds) {
      const until = Date.now() + delaySeconds * 1000 * timeScale;
      setTargets(group, (targets) => targets.map((t) => (t.id === id ? { ...t, drainingUntil: until } : t)));
      await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())));
      setTargets(group, (targets) => targets.filter((t) => t.id !== id));
      group.instanceIds = group.instanceIds.filter((i) => i !== id);
      view.updateInstance(id, { state: 'terminated' });
      plane.reconcile();
    },
    async stop() {
      await plane.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
