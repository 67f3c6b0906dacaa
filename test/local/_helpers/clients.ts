import type { AwsCredentialIdentity } from '@smithy/types';

/** The connection part of any SDK v3 client config, pointed at a local cloud. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  readonly maxAttempts: number;
}

export interface LocalTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

/**
 * Config for `new XClient(clientConfig(cloud))`, with the admin credentials or any other (e.g. a role
 * session's). One attempt by default so error tests see the first answer, not a retried one.
 */
export function clientConfig(
  target: LocalTarget,
  overrides: { readonly credentials?: LocalTarget['credentials']; readonly maxAttempts?: number } = {},
): LocalClientConfig {
  const c = overrides.credentials ?? target.credentials;
  return {
    endpoint: target.endpoint,
    region: target.region,
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    },
    maxAttempts: overrides.maxAttempts ?? 1,
  };
}

/** Builds any SDK client against the local cloud: `localClient(STSClient, cloud)`. */
export function localClient<C>(
  Client: new (config: LocalClientConfig) => C,
  target: LocalTarget,
  overrides: Parameters<typeof clientConfig>[1] = {},
): C {
  return new Client(clientConfig(target, overrides));
}
