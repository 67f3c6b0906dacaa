/**
 * A tiny stand-in for the recommendation server that speaks the same env contract (RESILIENT_PORT,
 * RESILIENT_HOST, the `{"msg":"listening","port":N}` line) plus test-only paths to steer it:
 *   GET /            → 200 {instanceId, remotePort}     GET /healthcheck → the status set by /control/health
 *   GET /env         → the AWS_* variables it sees       GET /credentials → what the SDK's default chain resolves
 *   GET /hold        → never answers                     GET /drop        → closes the socket without a response
 *   GET /delay?ms=N  → answers 200 after N ms (still answers while draining on SIGTERM)
 *   GET /stream      → a chunked body in three parts     POST /echo       → echoes body and forwarded headers
 *   POST /control/health?status=N
 */
import http from 'node:http';
import { defaultProvider } from '@aws-sdk/credential-provider-node';

const imds = process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] ?? '';

async function instanceId(): Promise<string> {
  const token = await fetch(`${imds}/latest/api/token`, {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
  }).then((r) => r.text());
  return fetch(`${imds}/latest/meta-data/instance-id`, {
    headers: { 'x-aws-ec2-metadata-token': token },
  }).then((r) => r.text());
}

const id = await instanceId();
// One memoized chain, as a real server holds: credentials are cached until near expiry (docs/local-cloud.md#instance-credentials).
const credentials = defaultProvider();
let healthStatus = Number(process.env['FIXTURE_HEALTH_STATUS'] ?? '200');

const json = (res: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'x-instance-id': id, 'x-fixture': 'yes' });
  res.end(text);
};

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/hold') return;
  if (url.pathname === '/delay') {
    setTimeout(
      () => json(res, 200, { instanceId: id, delayed: true }),
      Number(url.searchParams.get('ms') ?? '0'),
    );
    return;
  }
  if (url.pathname === '/drop') {
    req.socket.destroy();
    return;
  }
  if (url.pathname === '/healthcheck') return json(res, healthStatus, { success: healthStatus === 200 });
  if (url.pathname === '/control/health') {
    healthStatus = Number(url.searchParams.get('status') ?? '200');
    return json(res, 200, { healthStatus });
  }
  if (url.pathname === '/env') {
    return json(
      res,
      200,
      Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_'))),
    );
  }
  if (url.pathname === '/credentials') {
    credentials().then(
      (c) => json(res, 200, { accessKeyId: c.accessKeyId, sessionToken: c.sessionToken }),
      (e: unknown) => json(res, 500, { error: e instanceof Error ? e.message : String(e) }),
    );
    return;
  }
  if (url.pathname === '/stream') {
    res.writeHead(200, { 'content-type': 'text/plain', 'x-instance-id': id });
    res.write('one,');
    setTimeout(() => res.write('two,'), 10);
    setTimeout(() => res.end('three'), 20);
    return;
  }
  if (url.pathname === '/echo') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => json(res, 201, { body: Buffer.concat(chunks).toString(), headers: req.headers }));
    return;
  }
  json(res, 200, { instanceId: id, remotePort: req.socket.remotePort });
});
server.keepAliveTimeout = 10_000;
server.listen(
  Number(process.env['RESILIENT_PORT'] ?? '0'),
  process.env['RESILIENT_HOST'] ?? '127.0.0.1',
  () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
  },
);
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
