import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ServerConfigError } from './config.ts';
import { type RunningServer, startServer } from './start.ts';

export { type RunningServer, type StartServerOptions, startServer } from './start.ts';

export interface ServerArgs {
  readonly port?: number;
  readonly host?: string;
}

/** `--port P --host H` (also `--port=P`); anything else is a usage error. */
export function parseServerArgs(argv: readonly string[]): ServerArgs {
  let port: number | undefined;
  let host: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (flag !== '--port' && flag !== '--host') throw new ServerConfigError(`unknown argument '${arg}'`);
    if (value === undefined || value === '') throw new ServerConfigError(`${flag} needs a value`);
    if (flag === '--host') host = value;
    else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ServerConfigError(`--port must be 0-65535`);
      port = n;
    }
  }
  return { ...(port === undefined ? {} : { port }), ...(host === undefined ? {} : { host }) };
}

const failLine = (msg: string, error: unknown): string =>
  `${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, error: error instanceof Error ? error.message : String(error) })}\n`;

/**
 * The process entry: starts the server, and on SIGTERM or SIGINT stops accepting connections, drains
 * in-flight requests (bounded deadline) and exits 0 — what systemd's stop and the local cloud's
 * terminate expect. Exit 2 on bad configuration, 1 when the server cannot listen.
 */
export async function runServerProcess(argv: readonly string[]): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer(parseServerArgs(argv));
  } catch (error: unknown) {
    process.stderr.write(failLine('server failed to start', error));
    process.exitCode = error instanceof ServerConfigError ? 2 : 1;
    return;
  }
  const stop = (): void => {
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(failLine('server failed to stop cleanly', error));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** True when this file is the script node was started with (works for main.ts and the stripped main.js). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void runServerProcess(process.argv.slice(2));
