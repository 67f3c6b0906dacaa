/**
 * Runs a fuzz target (`../_targets/*.ts`) as its own Node process, so that a crash is visible as an exit
 * and its memory can be measured apart from the test runner's. Every wait has a deadline.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface TargetProcess {
  readonly pid: number;
  readonly info: Record<string, unknown>;
  /** Exit code or signal once the process has exited on its own, else undefined. */
  exited(): string | undefined;
  /** Live heap and RSS after a full GC in the target. */
  memory(): Promise<NodeJS.MemoryUsage>;
  close(): Promise<void>;
}

const READY_DEADLINE_MS = 45_000;
const MEMORY_DEADLINE_MS = 10_000;
const STOP_DEADLINE_MS = 15_000;

export async function startTarget(name: 'server' | 'load-balancer' | 'gateway'): Promise<TargetProcess> {
  const script = fileURLToPath(new URL(`../_targets/${name}.ts`, import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--expose-gc', '--no-warnings'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  let exit: string | undefined;
  child.once('exit', (code, signal) => {
    exit = signal ?? String(code);
  });

  const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fuzz target ${name} not ready within ${READY_DEADLINE_MS} ms: ${stderr}`));
    }, READY_DEADLINE_MS);
    child.on('message', (m: unknown) => {
      const message = m as { kind?: string; info?: Record<string, unknown> };
      if (message.kind === 'ready' && message.info !== undefined) {
        clearTimeout(timer);
        resolve(message.info);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fuzz target ${name} exited (${signal ?? code}) before ready: ${stderr}`));
    });
  });

  return {
    pid: child.pid ?? -1,
    info,
    exited: () => exit,
    memory: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.off('message', onMessage);
          reject(new Error(`fuzz target ${name} did not report its memory`));
        }, MEMORY_DEADLINE_MS);
        const onMessage = (m: unknown): void => {
          const message = m as { kind?: string; usage?: NodeJS.MemoryUsage };
          if (message.kind !== 'memory' || message.usage === undefined) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.usage);
        };
        child.on('message', onMessage);
        child.send('memory');
      }),
    close: async () => {
      if (exit !== undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // The channel may already be gone (the target crashed and its exit is not yet seen): kill it then.
      if (child.connected) child.send('stop', (error) => error !== null && child.kill('SIGKILL'));
      else child.kill('SIGKILL');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}
