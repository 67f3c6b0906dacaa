/**
 * The benchmark's backend (dynalite + SSM, `../backend.ts`) in its own process, so its CPU never shares an
 * event loop with the load balancer or the load generator. IPC: sends `{kind:'ready', endpoint}`; answers
 * `'counts'` with `{kind:'counts', counts}`; `{latencyMs}` sets the modelled latency; `'stop'` closes and exits.
 */
import { startBackend } from '../backend.ts';

const backend = await startBackend();
const stop = async (): Promise<void> => {
  await backend.close();
  process.exit(0);
};
process.on('message', (message: unknown) => {
  if (typeof message === 'object' && message !== null && 'latencyMs' in message) {
    backend.latencyMs = Number((message as { latencyMs: unknown }).latencyMs);
    process.send?.({ kind: 'latency', latencyMs: backend.latencyMs });
  } else if (message === 'counts') process.send?.({ kind: 'counts', counts: backend.counts });
  else if (message === 'stop') void stop();
});
process.on('disconnect', () => void stop());
process.send?.({ kind: 'ready', endpoint: backend.endpoint });
