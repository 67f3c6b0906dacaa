/**
 * Runs the benchmark's workers (`_workers/*.ts`) as child processes over IPC, every wait with a deadline.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PacedResult, Throughput } from './load.ts';

const script = (name: string): string => fileURLToPath(new URL(`./_workers/${name}.ts`, import.meta.url));

function nextMessage<T>(child: ChildProcess, kind: string, deadlineMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no '${kind}' within ${deadlineMs} ms`));
    }, deadlineMs);
    const onMessage = (m: unknown): void => {
      const message = m as { kind?: string };
      if (message.kind !== kind) return;
      cleanup();
      resolve(m as T);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what}: exited (${code}) before '${kind}'`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface BackendProcess {
  readonly endpoint: string;
  counts(): Promise<{ getParameters: number; dynamodb: number }>;
  setLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBackendProcess(): Promise<BackendProcess> {
  const child = fork(script('backend'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ready = await nextMessage<{ endpoint: string }>(child, 'ready', 30_000, 'backend');
  return {
    endpoint: ready.endpoint,
    counts: async () => {
      const reply = nextMessage<{ counts: { getParameters: number; dynamodb: number } }>(
        child,
        'counts',
        10_000,
        'backend',
      );
      child.send('counts');
      return (await reply).counts;
    },
    setLatency: async (ms) => {
      const reply = nextMessage(child, 'latency', 10_000, 'backend');
      child.send({ latencyMs: ms });
      await reply;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      if (child.connected) child.send('stop');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(kill);
    },
  };
}

function loadWorker(job: Record<string, unknown>): ChildProcess {
  return fork(script('load'), [JSON.stringify(job)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
}

export async function throughputIn(url: string, seconds: number, connections: number): Promise<Throughput> {
  const child = loadWorker({ kind: 'throughput', url, seconds, connections });
  const done = await nextMessage<{ result: Throughput }>(child, 'result', seconds * 1000 + 30_000, 'load');
  return done.result;
}

/** `seconds` recorded at `rate`, after `warmupSeconds` of the same load unrecorded (load.ts `paced`). */
export async function pacedIn(
  url: string,
  rate: number,
  seconds: number,
  warmupSeconds = 0,
): Promise<PacedResult> {
  const child = loadWorker({ kind: 'paced', url, rate, seconds, warmupSeconds });
  const deadlineMs = (warmupSeconds + seconds) * 1000 + 30_000;
  const done = await nextMessage<{ result: PacedResult }>(child, 'result', deadlineMs, 'load');
  return done.result;
}

/** A steady client running until `stop()`. */
export async function startSteady(url: string, rate: number): Promise<{ stop(): Promise<PacedResult> }> {
  const child = loadWorker({ kind: 'paced', url, rate });
  await nextMessage(child, 'started', 15_000, 'steady load');
  return {
    stop: async () => {
      const done = nextMessage<{ result: PacedResult }>(child, 'result', 30_000, 'steady load');
      child.send('stop');
      return (await done).result;
    },
  };
}
