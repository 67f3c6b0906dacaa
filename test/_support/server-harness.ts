import type { RecommendationItem } from '../../resources/recommendations.ts';
import { createAwsClients } from '../../src/server/aws.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { type RunningServer, startServer } from '../../src/server/start.ts';
import { type AwsStub, parametersFrom, startAwsStub } from './aws-stub.ts';
import { type ImdsStub, startImdsStub } from './imds-stub.ts';

export const IDENTITY = { instanceId: 'i-0123456789abcdef0', zone: 'us-west-2b' };
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

export interface Harness {
  readonly url: string;
  readonly server: RunningServer;
  readonly aws: AwsStub;
  readonly imds: ImdsStub;
  /** What the SSM stub answers; tests change it between requests. */
  readonly parameters: Record<string, string>;
  /** Log lines the server wrote, parsed. */
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly env?: Record<string, string>;
  readonly now?: () => number;
  /** Picks the item key of GET / (default Math.random); a constant asks for the same item every time. */
  readonly random?: () => number;
  readonly parameters?: Record<string, string>;
}

/**
 * The server over real HTTP on port 0, with real SDK clients (the production factory: same timeouts and
 * retries) pointed at a local AWS stub, and a local IMDSv2 stub.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const aws = await startAwsStub();
  const imds = await startImdsStub(IDENTITY);
  const parameters: Record<string, string> = options.parameters ?? {
    [DEFAULT_PARAMETER_NAMES.table]: 'recommendations',
    [DEFAULT_PARAMETER_NAMES.failureResponse]: 'none',
    [DEFAULT_PARAMETER_NAMES.healthCheck]: 'shallow',
  };
  aws.on(
    'GetParameters',
    parametersFrom(() => parameters),
  );
  const env = {
    RESILIENT_PORT: '0',
    RESILIENT_HOST: '127.0.0.1',
    AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    RESILIENT_DEPENDENCY_TIMEOUT_MS: '500',
    ...options.env,
  };
  const timeout = Number(env.RESILIENT_DEPENDENCY_TIMEOUT_MS);
  const logs: Record<string, unknown>[] = [];
  const server = await startServer({
    env,
    write: (chunk) => {
      for (const line of chunk.split('\n'))
        if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
    },
    clients: createAwsClients(timeout, {
      endpoint: aws.url,
      region: 'us-west-2',
      credentials: TEST_CREDENTIALS,
    }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    server,
    aws,
    imds,
    parameters,
    logs,
    close: async () => {
      await server.close();
      await aws.close();
      await imds.close();
    },
  };
}

/** The nine seeded items by `MediaType/ItemId`, for a GetItem stub. */
export function getItemFrom(items: readonly RecommendationItem[]) {
  return (input: Record<string, unknown>) => {
    const key = input['Key'] as { MediaType: { S: string }; ItemId: { N: string } };
    const item = items.find((i) => i.MediaType.S === key.MediaType.S && i.ItemId.N === key.ItemId.N);
    return { body: item === undefined ? {} : { Item: item } };
  };
}
