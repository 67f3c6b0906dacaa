import type { AddressInfo } from 'node:net';
import { createServer, type ServerDeps } from './app.ts';
import { createAwsClients } from './aws.ts';
import { readServerConfig } from './config.ts';
import { createLogger } from './logger.ts';

export interface StartServerOptions {
  /** Environment to read the configuration from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Override RESILIENT_PORT / RESILIENT_HOST (e.g. from `--port` / `--host`). */
  readonly port?: number;
  readonly host?: string;
  /** Where log lines go (default process.stdout). */
  readonly write?: (chunk: string) => void;
  /** Injected SDK clients (tests); by default built once from the SDK's default chains. */
  readonly clients?: Pick<ServerDeps, 'ssm' | 'dynamodb'>;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** Drains in-flight requests (bounded by RESILIENT_DRAIN_TIMEOUT_MS), then stops. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the recommendation server and resolves once it listens, after writing the JSON line
 * `{"msg":"listening","port":N,...}` that process supervisors (the local cloud) wait for.
 * Rejects with ServerConfigError for bad configuration, or the listen error (EADDRINUSE, EACCES).
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const base = readServerConfig(options.env ?? process.env);
  const config = { ...base, port: options.port ?? base.port, host: options.host ?? base.host };
  const write = options.write ?? ((chunk: string) => void process.stdout.write(chunk));
  const logger = createLogger(config.log, write);
  const clients = options.clients ?? createAwsClients(config.dependencyTimeoutMs);
  const app = createServer({
    config,
    ssm: clients.ssm,
    dynamodb: clients.dynamodb,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });

  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen(config.port, config.host, () => {
      app.server.off('error', reject);
      resolve();
    });
  });
  const port = (app.server.address() as AddressInfo).port;
  logger.lifecycle('listening', {
    port,
    host: config.host,
    parameterTtlMs: config.parameterTtlMs,
    itemTtlMs: config.itemTtlMs,
    dependencyTimeoutMs: config.dependencyTimeoutMs,
  });

  let closing: Promise<void> | undefined;
  return {
    port,
    host: config.host,
    close(): Promise<void> {
      closing ??= (async () => {
        logger.lifecycle('stopping', { drainTimeoutMs: config.drainTimeoutMs });
        await app.drain(config.drainTimeoutMs);
        if (options.clients === undefined) {
          clients.ssm.destroy();
          clients.dynamodb.destroy();
        }
        logger.lifecycle('stopped');
      })();
      return closing;
    },
  };
}
