/**
 * The memory probe every fuzz target child installs: on the IPC message `'memory'` it runs a full GC
 * (the child is started with --expose-gc) and answers with `process.memoryUsage()`, so the parent
 * compares live heap, not garbage that has not been collected yet. `'stop'` runs `stop` and exits.
 */
export interface ReadyMessage {
  readonly kind: 'ready';
  readonly info: Record<string, unknown>;
}

export function serveProbe(info: Record<string, unknown>, stop: () => Promise<void>): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: unknown) => {
    if (message === 'memory') {
      gc?.();
      gc?.();
      process.send?.({ kind: 'memory', usage: process.memoryUsage() });
    } else if (message === 'stop') {
      void stop().finally(() => process.exit(0));
    }
  });
  // The parent died without asking: do not outlive it.
  process.on('disconnect', () => void stop().finally(() => process.exit(0)));
  const ready: ReadyMessage = { kind: 'ready', info };
  process.send?.(ready);
}
