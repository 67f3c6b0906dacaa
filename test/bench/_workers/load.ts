/**
 * A load generator in its own process (so it does not steal the load balancer's event loop). Job from
 * argv[2] as JSON: `{kind:'throughput', url, seconds, connections}` or
 * `{kind:'paced', url, rate, seconds?, warmupSeconds?}`; a paced job without `seconds` runs until the IPC
 * message `'stop'`; one with `warmupSeconds` sends that long unrecorded first (`paced` in ../load.ts). Sends `{kind:'result', result}` and exits.
 */
import { type PacedResult, startPaced, type Throughput, throughput } from '../load.ts';

type Job =
  | { kind: 'throughput'; url: string; seconds: number; connections: number }
  | { kind: 'paced'; url: string; rate: number; seconds?: number; warmupSeconds?: number };

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const finish = (result: Throughput | PacedResult): void => {
  process.send?.({ kind: 'result', result }, () => process.exit(0));
};
if (job.kind === 'throughput') {
  finish(await throughput(job.url, job.seconds, job.connections));
} else {
  const warmupSeconds = job.warmupSeconds ?? 0;
  const run = startPaced(job.url, job.rate, warmupSeconds * 1000);
  const stop = async (): Promise<void> => finish(await run.stop());
  if (job.seconds !== undefined) setTimeout(() => void stop(), (warmupSeconds + job.seconds) * 1000);
  process.on('message', (message: unknown) => {
    if (message === 'stop') void stop();
  });
  process.send?.({ kind: 'started' });
}
