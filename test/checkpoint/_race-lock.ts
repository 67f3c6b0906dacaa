/**
 * One contender of the lock race (test/checkpoint/lock.test.ts): waits for the start time it is given,
 * tries to take the lock and prints `won` or `locked …`. A winner holds the lock until its stdin closes —
 * the parent closes it only once every contender has answered — so a contender that starts late (a slow
 * process start on a loaded machine) still finds the lock held, and the race's outcome never depends on
 * timing.
 */
const [path, startAt] = process.argv.slice(2);
const modulePath = process.env['LOCK_MODULE'] ?? '../../src/checkpoint/lock.ts';
const { acquireLock } = (await import(modulePath)) as typeof import('../../src/checkpoint/lock.ts');
const released = new Promise((resolve) => {
  process.stdin.on('end', resolve);
  process.stdin.on('error', resolve);
  process.stdin.resume();
});
while (Date.now() < Number(startAt)) {
  // Spin to the start: a timer would add scheduling jitter larger than the race window.
}
try {
  const lock = acquireLock(String(path));
  process.stdout.write('won\n');
  await released;
  lock.release();
} catch (error: unknown) {
  process.stdout.write(`locked ${(error as Error).message}\n`);
}
process.exit(0);
