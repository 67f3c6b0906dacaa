import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeSession } from './_fakes/fake-cloud.ts';
import { runHarness } from './_fakes/run-harness.ts';

const OTHER = '210987654321';

/** The same cloud reached with credentials of another account (what STS says is all that differs). */
function otherAccount(session: FakeSession): FakeSession {
  return {
    ...session,
    aws: {
      ...session.aws,
      sts: {
        getCallerIdentity: async () => ({ account: OTHER, arn: `arn:aws:iam::${OTHER}:user/someone-else` }),
      },
    },
  };
}

describe('a run is pinned to the account it started in', () => {
  let h: ReturnType<typeof runHarness>;
  afterEach(() => h.cleanup());

  it('records the account and partition in the checkpoint; destroy and resume from another account refuse and touch nothing', async () => {
    h = runHarness();
    const kept = await h.start({ keep: true });
    expect(kept.outcome).toBe('kept');
    const file = JSON.parse(readFileSync(h.checkpoint(), 'utf8'));
    expect(file.account).toEqual({ id: '123456789012', partition: 'aws' });
    const before = h.cloud.leftovers();
    expect(before.length).toBeGreaterThan(10);

    const stranger = otherAccount(h.cloud.session());
    const calls = h.cloud.calls.length;
    for (const attempt of [
      () => h.destroy({ session: stranger }),
      () => h.destroy({ session: stranger, fromState: h.checkpoint() }),
      () => h.resume({ session: stranger }),
    ]) {
      await expect(attempt()).rejects.toThrow(
        new RegExp(`account 123456789012, but these credentials are for account ${OTHER}`),
      );
    }
    // Nothing but STS was asked, nothing changed, and the checkpoint and its lock are as they were.
    expect(h.cloud.calls.slice(calls)).toEqual([]);
    expect(h.cloud.leftovers()).toEqual(before);
    expect(existsSync(h.checkpoint())).toBe(true);

    const destroyed = await h.destroy();
    expect(destroyed.outcome).toBe('succeeded');
    expect(h.cloud.leftovers()).toEqual([]);
  });
});
