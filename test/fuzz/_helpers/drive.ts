/**
 * The two drives every fuzz suite uses: a fast-check property over hostile requests (each answer must be
 * one of the correct ones, in time), and repeated rounds of the same cases for the memory comparison.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { Answer } from './expectations.ts';
import { type HostileCase, hostileRequest } from './hostile.ts';
import { exchange, type RawReply } from './raw-http.ts';

/** No correct answer takes this long on loopback; a target that needs it is hanging. */
const ANSWER_DEADLINE_MS = 5_000;

export const send = (port: number, c: HostileCase): Promise<RawReply> =>
  exchange(port, c.bytes, { deadlineMs: ANSWER_DEADLINE_MS, keepOpen: !c.halfClose });

const describeCase = (c: HostileCase): string =>
  `${c.kind}: ${JSON.stringify(c.bytes.subarray(0, 160).toString('latin1'))}${c.bytes.length > 160 ? '…' : ''}`;

/** Asserts that every generated hostile request gets one of `answers(c)`, and returns how many ran. */
export async function assertHostileAnswers(
  port: number,
  answers: (c: HostileCase) => readonly Answer[],
  numRuns: number,
  extra?: (c: HostileCase, reply: RawReply) => void,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(hostileRequest, async (c) => {
      const reply = await send(port, c);
      expect(reply.timedOut, `no answer within ${ANSWER_DEADLINE_MS} ms to ${describeCase(c)}`).toBe(false);
      const got: Answer = reply.status ?? 'closed';
      expect(answers(c), `answer ${got} to ${describeCase(c)}`).toContain(got);
      extra?.(c, reply);
    }),
    { numRuns },
  );
}

/** A fixed sample of hostile requests (seeded, so every round and every run sends the same bytes). */
export const hostileSample = (count: number): HostileCase[] =>
  fc.sample(hostileRequest, { numRuns: count, seed: 20_260_101 });

/** Sends every case `rounds` times, a few connections at a time. */
export async function hostileRounds(
  port: number,
  cases: readonly HostileCase[],
  rounds: number,
): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(cases.slice(i, i + 4).map((c) => send(port, c)));
    }
  }
}

const MiB = 1024 * 1024;
export const mib = (bytes: number): number => Math.round((bytes / MiB) * 10) / 10;
