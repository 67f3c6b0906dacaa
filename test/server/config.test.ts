import { describe, expect, it } from 'vitest';
import { readServerConfig, ServerConfigError } from '../../src/server/config.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { parseServerArgs } from '../../src/server/main.ts';

describe('server configuration', () => {
  it("defaults to the seed's parameter names, port 80, a 1.5 s cache and a 2 s dependency timeout", () => {
    const config = readServerConfig({});
    expect(config.parameterNames).toEqual(DEFAULT_PARAMETER_NAMES);
    expect(config).toMatchObject({
      port: 80,
      host: '0.0.0.0',
      parameterTtlMs: 1500,
      dependencyTimeoutMs: 2000,
      imdsEndpoint: 'http://169.254.169.254',
      log: 'info',
    });
  });

  it('takes per-deployment parameter names from the environment', () => {
    const config = readServerConfig({
      RESILIENT_TABLE_PARAMETER: '/resilient/demo/table',
      RESILIENT_FAILURE_RESPONSE_PARAMETER: '/resilient/demo/failure-response',
      RESILIENT_HEALTH_CHECK_PARAMETER: '/resilient/demo/health-check',
    });
    expect(config.parameterNames).toEqual({
      table: '/resilient/demo/table',
      failureResponse: '/resilient/demo/failure-response',
      healthCheck: '/resilient/demo/health-check',
    });
  });

  it('refuses a dependency timeout that is not below the 5 s health-check timeout', () => {
    expect(() => readServerConfig({ RESILIENT_DEPENDENCY_TIMEOUT_MS: '5000' })).toThrow(ServerConfigError);
    expect(readServerConfig({ RESILIENT_DEPENDENCY_TIMEOUT_MS: '4999' }).dependencyTimeoutMs).toBe(4999);
  });

  it('refuses malformed numbers, log levels and non-http IMDS endpoints', () => {
    expect(() => readServerConfig({ RESILIENT_PORT: 'eighty' })).toThrow(ServerConfigError);
    expect(() => readServerConfig({ RESILIENT_PARAMETER_TTL_MS: '-1' })).toThrow(ServerConfigError);
    expect(() => readServerConfig({ RESILIENT_LOG: 'debug' })).toThrow(ServerConfigError);
    expect(() => readServerConfig({ AWS_EC2_METADATA_SERVICE_ENDPOINT: 'https://imds' })).toThrow(
      ServerConfigError,
    );
  });

  it('parses --port and --host, and rejects anything else', () => {
    expect(parseServerArgs(['--port', '8080', '--host=127.0.0.1'])).toEqual({
      port: 8080,
      host: '127.0.0.1',
    });
    expect(parseServerArgs([])).toEqual({});
    expect(() => parseServerArgs(['--port'])).toThrow(ServerConfigError);
    expect(() => parseServerArgs(['--port', '70000'])).toThrow(ServerConfigError);
    expect(() => parseServerArgs(['--verbose'])).toThrow(ServerConfigError);
  });
});
