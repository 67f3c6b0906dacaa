import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentityProvider, UNKNOWN_IDENTITY } from '../../src/server/identity.ts';
import { type Harness, startHarness } from '../_support/server-harness.ts';

let harness: Harness | undefined;
let imds: Server | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  if (imds !== undefined) {
    imds.closeAllConnections();
    await new Promise((resolve) => imds?.close(resolve));
  }
  imds = undefined;
});

describe('instance identity', () => {
  it('answers with unknown metadata, not an error, when IMDS is unreachable', async () => {
    harness = await startHarness({ env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:1' } });
    harness.parameters['doc-example-resilient-architecture-failure-response'] = 'static';
    const res = await fetch(`${harness.url}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Metadata: UNKNOWN_IDENTITY });
  });

  it('asks IMDS again only after the retry period following a failure', async () => {
    let broken = true;
    let puts = 0;
    imds = createServer((req, res) => {
      if (req.method === 'PUT') puts++;
      if (broken) return void res.writeHead(500).end();
      if (req.method === 'PUT') return void res.end('tok');
      if (req.headers['x-aws-ec2-metadata-token'] !== 'tok') return void res.writeHead(401).end();
      res.end(req.url === '/latest/meta-data/instance-id' ? 'i-0abc' : 'us-west-2c');
    });
    await new Promise<void>((resolve) => imds?.listen(0, '127.0.0.1', resolve));
    let clock = 0;
    const provider = createIdentityProvider({
      endpoint: `http://127.0.0.1:${(imds.address() as AddressInfo).port}`,
      timeoutMs: 1000,
      retryAfterMs: 5000,
      now: () => clock,
    });
    expect(await provider.get()).toEqual(UNKNOWN_IDENTITY);
    broken = false;
    clock = 4999;
    expect(await provider.get()).toEqual(UNKNOWN_IDENTITY);
    expect(puts).toBe(1);
    clock = 5000;
    expect(await provider.get()).toEqual({ InstanceId: 'i-0abc', AvailabilityZone: 'us-west-2c' });
    expect(await provider.get()).toEqual({ InstanceId: 'i-0abc', AvailabilityZone: 'us-west-2c' });
    expect(puts).toBe(2);
  });
});
