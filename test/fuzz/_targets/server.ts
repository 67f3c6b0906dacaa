/**
 * Fuzz target: the recommendation server alone, configured as on an instance but with every dependency
 * unreachable (SSM, DynamoDB and IMDS on a closed port), so `/healthcheck` is the shallow 200 and `/`
 * is the reference's closed connection. Prints nothing; reports its port over IPC.
 */
import { startServer } from '../../../src/server/start.ts';
import { serveProbe } from './probe.ts';

const closed = 'http://127.0.0.1:9';
const server = await startServer({
  env: {
    RESILIENT_LOG: 'off',
    RESILIENT_DEPENDENCY_TIMEOUT_MS: '300',
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'AKIDFUZZ',
    AWS_SECRET_ACCESS_KEY: 'fuzz',
    AWS_ENDPOINT_URL: closed,
    AWS_EC2_METADATA_SERVICE_ENDPOINT: closed,
  },
  port: 0,
  host: '127.0.0.1',
});
serveProbe({ port: server.port }, () => server.close());
