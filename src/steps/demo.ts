import { fromPromise } from 'xstate';
import type { DemoFacts, StageInput, StageResult } from '../../machines/demo.ts';
import { awsErrorCode, isTransient } from '../aws/errors.ts';
import { ResilientError } from '../errors.ts';
import type { GetView, TargetHealthView } from '../events.ts';
import { deploymentTags } from '../names.ts';
import { checkStage } from './demo/expectations.ts';
import { STAGE_TEXTS } from './demo/stage-texts.ts';
import { GROUP_SIZE } from './deploy.ts';
import type { StepDeps } from './deps.ts';

export const NOT_A_TABLE = 'this-is-not-a-table';
/** GETs per observation round: enough for round-robin to reach every instance a few times. */
const SAMPLE_GETS = 9;

export function demoActors(deps: StepDeps) {
  const { aws, names } = deps;
  const tags = deploymentTags(names.deployment);
  const put = (name: string, value: string, signal: AbortSignal) => {
    deps.emit({ type: 'info', message: `Setting parameter ${name} to '${value}'.` });
    return aws.ssm.putParameter({ name, value, tags }, { signal });
  };
  const pollMs = () => Math.max(50, Math.round(5_000 * deps.timeScale));
  const endpoint = (facts: DemoFacts) => `http://${facts.dnsName ?? ''}/`;
  const targets = async (facts: DemoFacts, signal: AbortSignal): Promise<TargetHealthView[]> =>
    ((await aws.elbv2.targetHealth(facts.targetGroupArn ?? '', { signal })) ?? []).map((t) => ({
      id: t.Target?.Id ?? '',
      port: t.Target?.Port,
      state: t.TargetHealth?.State ?? 'unknown',
      reason: t.TargetHealth?.Reason,
      description: t.TargetHealth?.Description,
    }));
  const sample = async (facts: DemoFacts): Promise<GetView[]> => {
    const gets: GetView[] = [];
    for (let i = 0; i < SAMPLE_GETS; i++) gets.push(await deps.get(endpoint(facts), 5_000));
    return gets;
  };
  /** Polls `check` until it holds or the stage deadline passes. */
  const until = async (
    what: string,
    input: StageInput,
    signal: AbortSignal,
    check: () => Promise<boolean>,
  ) => {
    for (;;) {
      if (await check()) return;
      if (Date.now() >= input.deadline)
        throw new ResilientError('TIMEOUT', `Stage ${input.stage}: timed out waiting for ${what}.`);
      deps.emit({ type: 'wait-progress', what, deadline: input.deadline, detail: `stage ${input.stage}` });
      await deps.sleep(pollMs(), signal);
    }
  };

  /**
   * A stage's action and its observation are idempotent, so a transient cloud error (throttling that
   * outlived the SDK's retries, a 5xx) runs them again after a pause, within the stage's deadline.
   */
  const persist = async <T>(input: StageInput, signal: AbortSignal, fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (error: unknown) {
        if (signal.aborted || !isTransient(error) || Date.now() >= input.deadline) throw error;
        deps.emit({
          type: 'wait-progress',
          what: `stage ${input.stage}`,
          deadline: input.deadline,
          detail: `transient cloud error ${awsErrorCode(error) ?? ''}, trying again`,
        });
        await deps.sleep(pollMs(), signal);
      }
    }
  };

  async function apply(input: StageInput, signal: AbortSignal): Promise<{ facts?: Partial<DemoFacts> }> {
    const text = STAGE_TEXTS[input.stage];
    if (text !== undefined)
      deps.emit({ type: 'stage', stage: input.stage, title: text.title, text: text.text });
    const p = names.parameters;
    switch (input.stage) {
      case 1:
        await put(p.table, names.table, signal);
        await put(p.failureResponse, 'none', signal);
        await put(p.healthCheck, 'shallow', signal);
        return {};
      case 2:
        await put(p.table, NOT_A_TABLE, signal);
        return {};
      case 3:
        await put(p.failureResponse, 'static', signal);
        return {};
      case 4:
        await put(p.table, names.table, signal);
        return { facts: { badInstanceId: await giveBadCredentials(input, signal) } };
      case 5:
        await put(p.healthCheck, 'deep', signal);
        return {};
      case 6: {
        const bad = input.facts.badInstanceId;
        if (bad === undefined) throw new ResilientError('INTERNAL', 'stage 6 without a bad instance');
        await aws.autoscaling.terminateInstance(bad, false, { signal });
        deps.emit({
          type: 'info',
          message: `Terminated instance ${bad}; Auto Scaling starts a replacement.`,
        });
        await until('the replacement instance to be healthy', input, signal, async () => {
          const now = await targets(input.facts, signal);
          return now.filter((t) => t.state === 'healthy' && t.id !== bad).length >= GROUP_SIZE;
        });
        return {};
      }
      case 7:
        await put(p.table, NOT_A_TABLE, signal);
        return {};
      default:
        await put(p.table, names.table, signal);
        return {};
    }
  }

  /** Stage 4: replace one instance's profile with the SSM-only one, reboot it, wait until it serves static. */
  async function giveBadCredentials(input: StageInput, signal: AbortSignal): Promise<string> {
    const group = await aws.autoscaling.describeGroup(names.group, { signal });
    const candidates = (group?.Instances ?? []).filter(
      (i) => i.LifecycleState === 'InService' && i.InstanceId !== undefined,
    );
    const chosen = input.facts.badInstanceId ?? candidates.map((i) => i.InstanceId ?? '').sort()[0];
    if (chosen === undefined) throw new ResilientError('CLOUD', `No instance in service in ${names.group}.`);
    const association = await aws.ec2.profileAssociation(chosen, { signal });
    if (association === undefined)
      throw new ResilientError('CLOUD', `Instance ${chosen} has no instance profile association.`);
    if (!association.profileArn.endsWith(`/${names.bcProfile}`)) {
      await until(
        `profile ${names.bcProfile} to be usable`,
        input,
        signal,
        async () =>
          (await aws.ec2.replaceProfileAssociation(association.associationId, names.bcProfile, {
            signal,
          })) === 'replaced',
      );
    }
    deps.emit({
      type: 'info',
      message: `Replaced the instance profile of ${chosen} with ${names.bcProfile}; rebooting it.`,
    });
    await aws.ec2.rebootInstances([chosen], { signal });
    await until(`${chosen} to serve again with its new credentials`, input, signal, async () =>
      (await sample(input.facts)).some((g) => g.instanceId === chosen && g.kind === 'static'),
    );
    return chosen;
  }

  async function observe(input: StageInput, signal: AbortSignal): Promise<StageResult> {
    for (;;) {
      const gets = await sample(input.facts);
      const seen = await targets(input.facts, signal);
      const verdict = checkStage(input.stage, {
        gets,
        targets: seen,
        badInstanceId: input.facts.badInstanceId,
        groupSize: GROUP_SIZE,
      });
      if (verdict.pass || Date.now() >= input.deadline) {
        const tally = (key: (g: GetView) => string) => {
          const out: Record<string, number> = {};
          for (const g of gets) out[key(g)] = (out[key(g)] ?? 0) + 1;
          return out;
        };
        deps.emit({
          type: 'observation',
          stage: input.stage,
          pass: verdict.pass,
          statusCounts: tally((g) => String(g.status)),
          kinds: tally((g) => g.kind),
          instances: [...new Set(gets.flatMap((g) => (g.instanceId ? [g.instanceId] : [])))],
          zones: [...new Set(gets.flatMap((g) => (g.zone ? [g.zone] : [])))],
          targets: seen,
          reasons: verdict.reasons,
        });
        return { stage: input.stage, pass: verdict.pass, reasons: verdict.reasons };
      }
      await deps.sleep(pollMs(), signal);
    }
  }

  return {
    applyStage: fromPromise<{ facts?: Partial<DemoFacts> }, StageInput>(({ input, signal }) =>
      persist(input, signal, () => apply(input, signal)),
    ),
    observeStage: fromPromise<StageResult, StageInput>(({ input, signal }) =>
      persist(input, signal, () => observe(input, signal)),
    ),
    sendGet: fromPromise<void, StageInput>(async ({ input }) => {
      deps.emit({
        type: 'get-result',
        url: endpoint(input.facts),
        result: await deps.get(endpoint(input.facts), 5_000),
      });
    }),
    checkHealth: fromPromise<void, StageInput>(async ({ input, signal }) => {
      deps.emit({ type: 'target-health', targets: await targets(input.facts, signal) });
    }),
  };
}
