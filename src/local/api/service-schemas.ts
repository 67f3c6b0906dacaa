import type { Protocol } from '../contracts.ts';

/**
 * Where the wire schema of each signing name lives: the `@aws-sdk/client-*` package this project already
 * depends on exports one schema constant per operation (`CreateRole$`, …; docs/local-cloud.md#protocols), so the
 * codec speaks exactly the shapes of the SDK version the orchestrator uses.
 */
interface SchemaSource {
  readonly load: () => Promise<Record<string, unknown>>;
  /** XML namespace of query responses (`<OpResponse xmlns=…>`). */
  readonly xmlns: string;
}

const SOURCES: Readonly<Record<string, SchemaSource>> = {
  sts: { load: () => import('@aws-sdk/client-sts'), xmlns: 'https://sts.amazonaws.com/doc/2011-06-15/' },
  iam: { load: () => import('@aws-sdk/client-iam'), xmlns: 'https://iam.amazonaws.com/doc/2010-05-08/' },
  autoscaling: {
    load: () => import('@aws-sdk/client-auto-scaling'),
    xmlns: 'http://autoscaling.amazonaws.com/doc/2011-01-01/',
  },
  elasticloadbalancing: {
    load: () => import('@aws-sdk/client-elastic-load-balancing-v2'),
    xmlns: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/',
  },
  ec2: { load: () => import('@aws-sdk/client-ec2'), xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/' },
  ssm: { load: () => import('@aws-sdk/client-ssm'), xmlns: '' },
  dynamodb: { load: () => import('@aws-sdk/client-dynamodb'), xmlns: '' },
};

/** `[9, namespace, name, traits, () => input, () => output]`, the SDK's static operation schema. */
export type OperationSchema = readonly [9, string, string, unknown, unknown, unknown];

const loaded = new Map<string, Promise<Record<string, unknown>>>();

function isOperationSchema(value: unknown): value is OperationSchema {
  return Array.isArray(value) && value[0] === 9 && typeof value[2] === 'string';
}

/** The SDK schema of `signingName`'s operation `action`, or undefined when the SDK has no such operation. */
export async function operationSchema(
  signingName: string,
  action: string,
): Promise<OperationSchema | undefined> {
  const source = SOURCES[signingName];
  if (source === undefined || !/^[A-Za-z0-9]+$/.test(action)) return undefined;
  let mod = loaded.get(signingName);
  if (mod === undefined) {
    // Loaded lazily: the EC2 client alone is several MB, and a daemon that never sees EC2 need not pay for it.
    mod = source.load();
    loaded.set(signingName, mod);
  }
  const candidate = (await mod)[`${action}$`];
  return isOperationSchema(candidate) ? candidate : undefined;
}

export const xmlNamespaceOf = (signingName: string): string => SOURCES[signingName]?.xmlns ?? '';

/** The JSON protocols' `X-Amz-Target` prefix, e.g. `AmazonSSM.GetParameter`. */
export const JSON_TARGET_PREFIX: Readonly<Record<string, string>> = {
  ssm: 'AmazonSSM',
  dynamodb: 'DynamoDB_20120810',
};

export const isQueryProtocol = (protocol: Protocol): boolean =>
  protocol === 'awsQuery' || protocol === 'ec2Query';
