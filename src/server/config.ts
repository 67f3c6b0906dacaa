import { DEFAULT_PARAMETER_NAMES, SERVER_ENV } from './env.ts';

/** The three SSM parameter names the server reads, in the order it asks for them. */
export interface ParameterNames {
  readonly table: string;
  readonly failureResponse: string;
  readonly healthCheck: string;
}

export type LogLevel = 'off' | 'info';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly parameterNames: ParameterNames;
  readonly parameterTtlMs: number;
  /** How long a table item is served again (item-cache.ts); 0 = read on every request. */
  readonly itemTtlMs: number;
  /** Bound on every SSM, DynamoDB and IMDS call; below ALB's default 5 s health-check timeout. */
  readonly dependencyTimeoutMs: number;
  /** IMDS base URL; the SDK's own variable, so the server and the credential chain agree. */
  readonly imdsEndpoint: string;
  readonly log: LogLevel;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  readonly drainTimeoutMs: number;
  /** The benchmark's baseline (env.ts `referenceMode`): no parameter or item cache, one request at a time. */
  readonly referenceMode: boolean;
}

/** Thrown for a configuration value the server cannot run with; main turns it into exit code 2. */
export class ServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

/** ALB's default (and the seed's) health-check timeout: a dependency call must finish well inside it. */
const ALB_HEALTH_CHECK_TIMEOUT_MS = 5000;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ServerConfigError(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

/** Reads the server's configuration from the environment (names in `env.ts`), validating every value. */
export function readServerConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const log = text(env, SERVER_ENV.log, 'info');
  if (log !== 'off' && log !== 'info')
    throw new ServerConfigError(`RESILIENT_LOG must be off or info, got '${log}'`);
  const imdsEndpoint = text(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'http://169.254.169.254');
  if (!/^http:\/\/[^/]+/.test(imdsEndpoint)) {
    // The SDK's IMDS provider also insists on plain http (it uses node:http).
    throw new ServerConfigError(
      `AWS_EC2_METADATA_SERVICE_ENDPOINT must be an http:// URL, got '${imdsEndpoint}'`,
    );
  }
  const referenceMode = integer(env, SERVER_ENV.referenceMode, 0, 0, 1) === 1;
  const parameterTtlMs = referenceMode ? 0 : integer(env, SERVER_ENV.parameterTtlMs, 1500, 0, 3_600_000);
  return {
    port: integer(env, SERVER_ENV.port, 80, 0, 65535),
    host: text(env, SERVER_ENV.host, '0.0.0.0'),
    parameterNames: {
      table: text(env, SERVER_ENV.tableParameter, DEFAULT_PARAMETER_NAMES.table),
      failureResponse: text(
        env,
        SERVER_ENV.failureResponseParameter,
        DEFAULT_PARAMETER_NAMES.failureResponse,
      ),
      healthCheck: text(env, SERVER_ENV.healthCheckParameter, DEFAULT_PARAMETER_NAMES.healthCheck),
    },
    parameterTtlMs,
    // Defaults to the parameter TTL: a deployment that scales one (local cloud time scale) scales both.
    itemTtlMs: referenceMode ? 0 : integer(env, SERVER_ENV.itemTtlMs, parameterTtlMs, 0, 3_600_000),
    dependencyTimeoutMs: integer(
      env,
      SERVER_ENV.dependencyTimeoutMs,
      2000,
      1,
      ALB_HEALTH_CHECK_TIMEOUT_MS - 1,
    ),
    imdsEndpoint: imdsEndpoint.replace(/\/+$/, ''),
    log,
    drainTimeoutMs: integer(env, SERVER_ENV.drainTimeoutMs, 10_000, 0, 300_000),
    referenceMode,
  };
}
