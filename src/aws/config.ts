import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface ClientConfig {
  /** The Region; when absent, the SDK's own resolution (AWS_REGION, the profile's config). */
  readonly region?: string | undefined;
  /** The local cloud (`http://127.0.0.1:<port>`) or any AWS-compatible endpoint; AWS itself when absent. */
  readonly endpoint?: string | undefined;
  /** Explicit credentials (the local cloud's admin key); the default provider chain when absent. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** Attempts per call including the first, with the SDK's adaptive retry (client-side rate limiting on throttles). */
  readonly maxAttempts?: number | undefined;
  /** Socket connect timeout, ms. */
  readonly connectionTimeoutMs?: number | undefined;
  /** Idle socket timeout per request, ms: a hung endpoint fails the call instead of hanging the run. */
  readonly requestTimeoutMs?: number | undefined;
}

/**
 * The one configuration every service client gets. Retry mode `adaptive` is the SDK's standard
 * exponential backoff plus a client-side token bucket that slows down after throttling errors
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export function sdkConfig(config: ClientConfig) {
  return {
    maxAttempts: config.maxAttempts ?? 5,
    retryMode: 'adaptive',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs ?? 5_000,
      requestTimeout: config.requestTimeoutMs ?? 30_000,
    }),
    ...(config.region === undefined ? {} : { region: config.region }),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
  };
}

/** One service's wrapper over a client of its own, for a command that needs one or two services. */
export interface Opened<W> {
  readonly api: W;
  /** The Region the client resolved (the configured one, or the SDK's default chain's). */
  region(): Promise<string>;
  close(): void;
}

export function opened<C extends { config: { region: () => Promise<string> }; destroy(): void }, W>(
  client: C,
  wrap: (client: C) => W,
): Opened<W> {
  return { api: wrap(client), region: () => client.config.region(), close: () => client.destroy() };
}
