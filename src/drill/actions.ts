/**
 * What an experiment's actions do on the cloud: parameters through SSM, profile swaps (waiting until
 * the new association is `associated`, then a reboot), terminations in the group, and on the local
 * cloud its control route's faults. Instance selectors are resolved here, once, and recorded.
 */
import { ResilientError } from '../errors.ts';
import type { InstanceFault } from '../local/contracts.ts';
import { deploymentTags } from '../names.ts';
import type { DrillControl, DrillDeps } from './actors.ts';
import type { Action } from './experiment.ts';

/** Ctrl+C was pressed between two calls of one action: the action stops and is repeated later. */
export class StoppedBetweenCalls extends Error {
  constructor() {
    super('interrupted');
  }
}

export function drillActions(deps: DrillDeps) {
  const { aws, names } = deps;
  const tags = deploymentTags(names.deployment);
  const scaled = (seconds: number) => Math.max(0, Math.round(seconds * 1_000 * deps.timeScale));
  const parameterName = (p: 'table' | 'failure-response' | 'health-check') =>
    p === 'table'
      ? names.parameters.table
      : p === 'failure-response'
        ? names.parameters.failureResponse
        : names.parameters.healthCheck;

  /** The instance a selector names: chosen now if it has not been (lowest in-service id not already chosen). */
  async function resolve(
    selected: Record<string, string>,
    name: string,
    signal: AbortSignal,
  ): Promise<string> {
    const known = selected[name];
    if (known !== undefined) return known;
    const group = await aws.autoscaling.describeGroup(names.group, { signal });
    const taken = new Set(Object.values(selected));
    const id = (group?.Instances ?? [])
      .filter(
        (i) => i.LifecycleState === 'InService' && i.InstanceId !== undefined && !taken.has(i.InstanceId),
      )
      .map((i) => i.InstanceId ?? '')
      .sort()[0];
    if (id === undefined)
      throw new ResilientError(
        'CLOUD',
        `Selector '${name}' matches nothing: no instance in service in ${names.group}.`,
      );
    selected[name] = id;
    return id;
  }

  const control = (): DrillControl => {
    if (deps.control === undefined)
      throw new ResilientError('USAGE', 'fault and api-faults need the local cloud (its control route).');
    return deps.control;
  };

  /**
   * Replaces the instance's profile association (unless it already names `profile`), waits (bounded)
   * until the new one is `associated` — EC2 answers a replace with `associating` — then reboots the
   * instance so that it fetches the new role's credentials. `stop` (Ctrl+C) is checked between the
   * calls: the one in flight finishes, the next is not sent, and a repeat carries on from there.
   */
  async function swapProfile(
    id: string,
    profile: string,
    deadline: number,
    signal: AbortSignal,
    options: { stop: () => boolean; ifGone: 'fail' | 'skip' },
  ): Promise<string> {
    for (;;) {
      const a = await aws.ec2.profileAssociation(id, { signal });
      if (a === undefined) {
        // Restoring the profile of an instance that is gone (stage 6 terminated it) has nothing to do.
        if (options.ifGone === 'skip') return `${id}: gone, nothing to restore`;
        throw new ResilientError(
          'CLOUD',
          `Instance ${id} has no instance profile association (it is gone, or its association was removed outside resilient).`,
          { hint: 'The stage cannot continue with this instance; destroy the deployment and start again.' },
        );
      }
      if (a.profileArn.endsWith(`/${profile}`) && a.state === 'associated') break;
      if (!a.profileArn.endsWith(`/${profile}`) && a.state === 'associated') {
        if (options.stop()) throw new StoppedBetweenCalls();
        const r = await aws.ec2.replaceProfileAssociation(a.associationId, profile);
        if (r === 'not-found')
          throw new ResilientError(
            'CLOUD',
            `The profile association ${a.associationId} of ${id} no longer exists: it vanished while being replaced.`,
          );
      }
      if (Date.now() >= deadline)
        throw new ResilientError('TIMEOUT', `timed out waiting for ${id}'s new profile`);
      if (options.stop()) throw new StoppedBetweenCalls();
      await deps.sleep(Math.max(50, scaled(2)), signal);
    }
    if (options.stop()) throw new StoppedBetweenCalls();
    deps.emit({
      type: 'info',
      message: `Replaced the instance profile of ${id} with ${profile}; rebooting it.`,
    });
    await aws.ec2.rebootInstances([id]);
    return `${id} → ${profile}, rebooted`;
  }

  /** One action; returns what it did in words. Mutating calls are sent without the abort signal. */
  async function perform(
    a: Action,
    selected: Record<string, string>,
    deadline: number,
    signal: AbortSignal,
    stop: () => boolean = () => false,
  ): Promise<string> {
    switch (a.action) {
      case 'set-parameter': {
        const name = parameterName(a.parameter);
        const value = a.parameter === 'table' && a.value === 'ours' ? names.table : a.value;
        deps.emit({ type: 'info', message: `Setting parameter ${name} to '${value}'.` });
        await aws.ssm.putParameter({ name, value, tags });
        return `${name} = ${value}`;
      }
      case 'swap-profile':
        return swapProfile(await resolve(selected, a.instance, signal), names.bcProfile, deadline, signal, {
          stop,
          ifGone: 'fail',
        });
      case 'restore-profile':
        return swapProfile(
          await resolve(selected, a.instance, signal),
          names.instanceProfile,
          deadline,
          signal,
          { stop, ifGone: 'skip' },
        );
      case 'terminate': {
        const id = await resolve(selected, a.instance, signal);
        const r = await aws.autoscaling.terminateInstance(id, false);
        deps.emit({ type: 'info', message: `Terminated instance ${id}; Auto Scaling starts a replacement.` });
        return `${id}${r === 'not-found' ? ' (already gone)' : ''}`;
      }
      case 'fault': {
        const id = await resolve(selected, a.instance, signal);
        const fault: InstanceFault =
          a.fault === 'slow' ? { kind: 'slow', delayMs: a.delayMs ?? 1_000 } : { kind: a.fault };
        await control().injectInstanceFault(id, fault);
        return `${a.fault} ${id}${a.fault === 'slow' ? ` (${a.delayMs} ms)` : ''}`;
      }
      case 'api-faults': {
        const rates = { throttleRate: a.throttle ?? 0, errorRate: a.errors ?? 0 };
        await control().setApiFaults(rates);
        return `throttle ${rates.throttleRate}, errors ${rates.errorRate}`;
      }
      case 'wait':
        await deps.sleep(scaled(a.seconds), signal);
        return `${a.seconds} s`;
    }
  }

  return { perform, resolve };
}
