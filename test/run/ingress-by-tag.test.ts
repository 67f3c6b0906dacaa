import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runHarness } from './_fakes/run-harness.ts';

const RULE = 'ingress-rule sg-default|203.0.113.7/32|80';

/** A kept deployment on "AWS" whose endpoint was closed to the caller: the /32 rule was added. */
async function keptWithIngress(h: ReturnType<typeof runHarness>): Promise<void> {
  h.cloud.faults.arm('retryable', { op: 'get', times: 3 });
  const result = await h.start({ keep: true });
  expect(result.outcome).toBe('kept');
  expect(h.cloud.leftovers()).toContain(RULE);
}

describe('the ingress rule never leaks: destroy finds it by tag', () => {
  let h: ReturnType<typeof runHarness> | undefined;
  afterEach(() => h?.cleanup());

  const damage: [string, (path: string) => void][] = [
    ['lost', (path) => rmSync(path)],
    ['corrupt', (path) => writeFileSync(path, '{"schema": 2, "name": "demo", "led')],
    [
      'from an older machine version (schema 1, no ledger entry for the rule)',
      (path) => {
        const file = JSON.parse(readFileSync(path, 'utf8'));
        const { plan, account: _account, ...rest } = file;
        const ledger = file.ledger.filter((e: { kind: string }) => e.kind !== 'ingress-rule');
        writeFileSync(
          path,
          JSON.stringify({
            ...rest,
            schema: 1,
            machineVersion: 'run-1',
            options: plan,
            ledger,
            snapshot: { old: true },
          }),
        );
      },
    ],
  ];

  for (const [how, spoil] of damage) {
    it(`with the checkpoint ${how}, destroy revokes the rule and verifies that nothing is left`, async () => {
      h = runHarness();
      await keptWithIngress(h);
      spoil(h.checkpoint());
      const result = await h.destroy();
      expect(result.outcome).toBe('succeeded');
      expect(h.cloud.leftovers()).toEqual([]);
      expect(existsSync(h.checkpoint())).toBe(false);
      if (how === 'corrupt') expect(existsSync(`${h.checkpoint()}.corrupt`)).toBe(true);
    });
  }

  it('verification counts a tagged rule that is still there as left over', async () => {
    h = runHarness();
    await keptWithIngress(h);
    // A revoke that does not take (the rule comes back by tag, not through the ledger).
    h.cloud.faults.arm('fatal', { op: 'ec2.revokeIngress' });
    h.cloud.faults.arm('fatal', { op: 'ec2.revokeIngressRules' });
    const result = await h.destroy();
    expect(result.outcome).not.toBe('succeeded');
    expect(result.destroy?.errors['verifying']).toMatch(
      /still present: ingress rule sgr-\w+ \(203\.0\.113\.7\/32 on sg-default\)/,
    );
  });
});
