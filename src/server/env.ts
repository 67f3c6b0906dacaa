/**
 * The recommendation server's configuration, as environment variables. This is the contract between
 * the server, the user data that installs it on AWS (`/etc/resilient/server.env`), and the local
 * cloud that runs it as an instance process. Parameter names default to the seed's exact names so the
 * server is a drop-in for the reference server.
 */
export const SERVER_ENV = {
  /** TCP port to listen on (default 80, as on the instances; tests use 0). */
  port: 'RESILIENT_PORT',
  /** Address to bind (default 0.0.0.0). */
  host: 'RESILIENT_HOST',
  /** SSM parameter holding the DynamoDB table name. */
  tableParameter: 'RESILIENT_TABLE_PARAMETER',
  /** SSM parameter holding the failure response: `none` or `static`. */
  failureResponseParameter: 'RESILIENT_FAILURE_RESPONSE_PARAMETER',
  /** SSM parameter holding the health check kind: `shallow` or `deep`. */
  healthCheckParameter: 'RESILIENT_HEALTH_CHECK_PARAMETER',
  /** How long parameter values are cached, in milliseconds (default 1500). */
  parameterTtlMs: 'RESILIENT_PARAMETER_TTL_MS',
  /**
   * How long a recommendation item read from the table is served again, in milliseconds, keyed by (table,
   * MediaType, ItemId); failed reads are never kept. Default: the parameter TTL. `0` reads the table on
   * every request.
   */
  itemTtlMs: 'RESILIENT_ITEM_TTL_MS',
  /** Timeout of each dependency call (SSM, DynamoDB, IMDS), ms; below ALB's 5 s health-check timeout (default 2000). */
  dependencyTimeoutMs: 'RESILIENT_DEPENDENCY_TIMEOUT_MS',
  /** `info` (default): one JSON line per request and on start/stop; `off`: nothing. */
  log: 'RESILIENT_LOG',
  /** How long SIGTERM/SIGINT waits for in-flight requests before closing their connections (default 10000). */
  drainTimeoutMs: 'RESILIENT_DRAIN_TIMEOUT_MS',
  /**
   * `1`: behave like the reference server design, as the benchmark's baseline (docs/testing.md#quality-bars): no parameter
   * or item cache (one GetParameters and one GetItem per request, whatever the TTLs say) and one request at a
   * time (a queue of concurrency 1, like the reference's single-threaded HTTPServer). `0` (default): off.
   * Never set on deployments.
   */
  referenceMode: 'RESILIENT_REFERENCE_MODE',
} as const;

export const DEFAULT_PARAMETER_NAMES = {
  table: 'doc-example-resilient-architecture-table',
  failureResponse: 'doc-example-resilient-architecture-failure-response',
  healthCheck: 'doc-example-resilient-architecture-health-check',
} as const;
