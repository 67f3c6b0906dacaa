/**
 * What every create wrapper in src/aws returns: the resource as the service describes it, and whether
 * this call made it. `created: false` means it was already there — a re-run, a resumed step, or the
 * service's own idempotency (ELBv2 returns an existing load balancer or target group of the same name
 * and settings as a success, so there `created` stays true; only a name taken with other settings is
 * `false`). The caller adopts an existing resource after whatever check it owes (IAM's tags).
 */
export interface Created<T> {
  readonly created: boolean;
  readonly value: T;
}

export const created = <T>(value: T): Created<T> => ({ created: true, value });
export const existing = <T>(value: T): Created<T> => ({ created: false, value });

/**
 * EC2's and Auto Scaling's answer when an instance profile made seconds ago is not yet visible to them
 * (IAM is eventually consistent): the step waits and tries again.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 */
export type ProfileNotReady = 'profile-not-ready';
