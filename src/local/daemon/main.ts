import { parseArgs } from 'node:util';
import { serveLocalCloud } from './serve.ts';

/**
 * The local cloud daemon in the foreground: `node src/local/daemon/main.ts --port P --state-dir D
 * --time-scale F [--region R]`. Logs one line per API call to stdout (the background starter redirects it
 * to `daemon.log`); on SIGTERM/SIGINT closes the cloud (instances, listeners, final snapshot) and removes
 * `daemon.json`.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    'state-dir': { type: 'string', default: 'state' },
    'time-scale': { type: 'string', default: '1' },
    region: { type: 'string', default: 'us-west-2' },
  },
});

const port = Number(values.port);
const timeScale = Number(values['time-scale']);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !(timeScale > 0)) {
  process.stderr.write(`invalid --port ${values.port} or --time-scale ${values['time-scale']}\n`);
  process.exit(2);
}

const log = (line: string): void => {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
};

let serving: Awaited<ReturnType<typeof serveLocalCloud>>;
try {
  serving = await serveLocalCloud({
    port,
    stateDir: values['state-dir'],
    timeScale,
    region: values.region,
    onRequest: (e) =>
      log(
        `${e.requestId} ${e.service}.${e.operation} ${e.statusCode}${e.errorCode ? ` ${e.errorCode}` : ''} ${e.durationMs.toFixed(1)}ms`,
      ),
  });
} catch (error: unknown) {
  process.stderr.write(
    `cannot start the local cloud: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
log(`local cloud serving at ${serving.record.endpoint} (pid ${process.pid}, time scale ${timeScale})`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  // A stuck close must not keep the daemon alive forever; the stopper escalates to SIGKILL anyway.
  setTimeout(() => process.exit(1), 15_000).unref();
  serving
    .stop()
    .then(() => {
      log('stopped');
      process.exit(0);
    })
    .catch((error: unknown) => {
      log(`close failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
