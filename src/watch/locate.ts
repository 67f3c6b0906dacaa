/**
 * Where a deployment is, read from its checkpoint without taking its lock (the run that owns it keeps
 * writing): the load balancer's URL, the target group and the Auto Scaling group the monitor probes,
 * and the cloud to reach them on.
 */
import { MACHINE_VERSION } from '../../machines/run.ts';
import { checkpointPath, readCheckpointFile } from '../checkpoint/store.ts';
import { resourceNames } from '../names.ts';
import { factsOf } from '../run/index.ts';
import type { MonitorTarget } from './monitor.ts';

export interface Deployment {
  readonly name: string;
  readonly target: {
    readonly kind: 'local' | 'aws';
    readonly region: string;
    readonly endpoint?: string | undefined;
  };
  readonly timeScale: number;
  /** Undefined until the load balancer and target group exist. */
  readonly where: MonitorTarget | undefined;
}

export function readDeployment(stateDir: string, name: string): Deployment | undefined {
  let file: ReturnType<typeof readCheckpointFile>;
  try {
    file = readCheckpointFile(checkpointPath(stateDir, name), MACHINE_VERSION);
  } catch {
    // Caught mid-write by another process, or from another version: as good as not there yet.
    return undefined;
  }
  if (file === undefined) return undefined;
  const facts = factsOf(file.snapshot);
  return {
    name: file.name,
    target: file.target,
    timeScale: file.plan.timeScale,
    where:
      facts.dnsName === undefined || facts.targetGroupArn === undefined
        ? undefined
        : {
            url: `http://${facts.dnsName}/`,
            targetGroupArn: facts.targetGroupArn,
            groupName: resourceNames(file.name).group,
          },
  };
}

/** How often target health is read: a few times per health-check interval (10 s × the time scale). */
export const healthIntervalMs = (timeScale: number): number =>
  Math.max(250, Math.min(2000, Math.round(10_000 * timeScale)));
