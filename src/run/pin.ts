/**
 * What a run is pinned to (docs/architecture.md#orchestration): the account and partition its resources live in, and the plan it
 * was started with. Resume, destroy and status compare the caller's account (STS GetCallerIdentity)
 * with the checkpoint's before any other call, so credentials for another account never reach a
 * delete, a create or the sweep by name and tag.
 */
import type { Aws } from '../aws/index.ts';
import { type Account, type CheckpointFile, DEFAULT_TIME_SCALE, type RunPlan } from '../checkpoint/schema.ts';
import { ResilientError } from '../errors.ts';

/** The caller's account as STS sees it; the partition is the second field of its ARN. */
export async function callerAccount(aws: Aws, signal?: AbortSignal): Promise<Account> {
  const identity = await aws.sts.getCallerIdentity({ signal });
  return { id: identity.account, partition: identity.arn.split(':')[1] || 'aws' };
}

const label = (a: Account) => (a.partition === 'aws' ? a.id : `${a.id} (${a.partition})`);

/** Refuses (exit 1, nothing touched) when the caller is not in the account the checkpoint names. */
export function assertPinnedAccount(file: CheckpointFile, caller: Account, doing: string): void {
  assertSameAccount(file.name, file.account, caller, doing);
}

export function assertSameAccount(
  name: string,
  pinned: Account | undefined,
  caller: Account,
  doing: string,
): void {
  if (pinned === undefined) return; // a schema-1 file of a run that never reached preflight: nothing exists
  if (pinned.id === caller.id && pinned.partition === caller.partition) return;
  throw new ResilientError(
    'PRECONDITION',
    `The run '${name}' lives in account ${label(pinned)}, but these credentials are for account ${label(caller)}: refusing to ${doing}.`,
    {
      hint: `nothing was touched; use credentials for account ${pinned.id} (AWS_PROFILE, aws sso login) and try again`,
    },
  );
}

/**
 * The plan a new run persists. AWS's deadlines are never scaled: a time scale other than 1 with `aws`
 * is refused here too (the CLI refuses the flag first, exit 2), so no caller can shrink them. An
 * in-memory cloud (tests) may run faster than AWS: `scaledCloud` says the cloud is not AWS's.
 */
export function resolvePlan(target: 'local' | 'aws', requested: RunPlan, scaledCloud: boolean): RunPlan {
  if (target === 'aws' && requested.timeScale !== DEFAULT_TIME_SCALE && !scaledCloud) {
    throw new ResilientError(
      'USAGE',
      '--time-scale applies to the local cloud only: AWS runs at its own speed.',
      {
        hint: 'drop --time-scale, or use --target local',
      },
    );
  }
  return requested;
}

/** The time scale a run's waits use: its plan's, except that AWS's deadlines never shrink. */
export const scaleOf = (file: CheckpointFile, scaledCloud: boolean): number =>
  file.target.kind === 'aws' && !scaledCloud ? DEFAULT_TIME_SCALE : file.plan.timeScale;
