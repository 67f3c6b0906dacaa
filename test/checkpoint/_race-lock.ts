/**
 * One contender of the lock race (test/checkpoint/lock.test.ts): waits for the start time it is given,
 * tries to take the lock, prints `won` or `locked`, holds a won lock a moment, then exits.
 */
const [path, startAt, holdMs] = process.argv.slice(2);
const modulePath = process.env['LOCK_MODULE'] ?? '../../src/checkpoint/lock.ts';
const { acquireLock } = (await import(modulePath)) as typeof import('../../src/checkpoint/lock.ts');
while (Date.now() < Number(startAt)) {
  // Spin to the start: a timer would add scheduling jitter larger than the race window.
}
try {
  const lock = acquireLock(String(path));
  process.stdout.write('won\n');
  await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
  lock.release();
} catch (error: unknown) {
  process.stdout.write(`locked ${(error as Error).message}\n`);
}
