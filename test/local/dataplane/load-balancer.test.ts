import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  LoadBalancerSpec,
  TargetGroupSpec,
  TargetHealthObservation,
} from '../../../src/local/contracts.ts';
import { errorBody } from '../../../src/local/dataplane/alb-responses.ts';
import { LoadBalancerServer } from '../../../src/local/dataplane/load-balancer.ts';
import { request } from '../../_support/dataplane-harness.ts';
import { SHALLOW_CHECK } from '../../_support/fake-view.ts';

interface Target {
  readonly id: string;
  readonly server: http.Server;
  port: number;
  readonly held: http.ServerResponse[];
}

/** A plain in-process target: answers with its id and the peer port it saw; `/hold` never answers. */
async function startTarget(id: string): Promise<Target> {
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/hold') {
      held.push(res);
      return;
    }
    if (req.url === '/drop') {
      req.socket.destroy();
      return;
    }
    if (req.url === '/teapot') {
      res.writeHead(418, "I'm a teapot", { 'x-custom': 'kept', 'set-cookie': ['a=1', 'b=2'] });
      res.write('short and ');
      setTimeout(() => res.end('stout'), 5);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          remotePort: req.socket.remotePort,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { id, server, port: address.port, held };
}

describe('load balancer', () => {
  let targets: Target[];
  let lb: LoadBalancerServer;
  let lbPort: number;
  let lbState: LoadBalancerSpec['state'];
  let group: TargetGroupSpec;
  let health: Map<string, TargetHealthObservation>;

  const setTargets = (ids: string[], draining: string[] = []): void => {
    group = {
      arn: 'tg',
      port: 80,
      healthCheck: SHALLOW_CHECK,
      targets: ids.map((id) => ({
        id,
        port: 80,
        drainingUntil: draining.includes(id) ? Date.now() + 60_000 : undefined,
      })),
    };
  };
  const get = async (path = '/') => request(lbPort, path);
  const idOf = (body: string): string => (JSON.parse(body) as { id: string }).id;

  beforeEach(async () => {
    targets = await Promise.all(['i-a', 'i-b', 'i-c'].map(startTarget));
    health = new Map(targets.map((t) => [t.id, { state: 'healthy' }]));
    lbState = 'active';
    setTargets(targets.map((t) => t.id));
    lb = new LoadBalancerServer('lb', {
      idleTimeoutMs: 400,
      connectTimeoutMs: 400,
      maxSocketsPerTarget: 8,
      initialTargetsFailOpen: true,
    });
    lbPort = await lb.listen(0);
    lb.attach({
      loadBalancer: () => ({
        arn: 'lb',
        port: lbPort,
        state: lbState,
        listeners: [{ arn: 'l', port: 80, targetGroupArn: 'tg' }],
      }),
      targetGroup: (arn) => (arn === 'tg' ? group : undefined),
      health: (_tg, id) => health.get(id),
      routeFor: (id) => {
        const port = targets.find((t) => t.id === id)?.port;
        return port === undefined ? undefined : { endpoint: port };
      },
    });
  });
  afterEach(async () => {
    await lb.close();
    for (const t of targets) {
      for (const res of t.held) res.destroy();
      t.server.closeAllConnections();
      await new Promise((resolve) => t.server.close(resolve));
    }
  });

  it('rotates round-robin over the healthy targets only', async () => {
    health.set('i-b', { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) seen.push(idOf((await get()).body));
    expect(seen).toEqual(['i-a', 'i-c', 'i-a', 'i-c', 'i-a', 'i-c']);
  });

  it('fails open to every target when none is healthy', async () => {
    for (const t of targets) health.set(t.id, { state: 'unhealthy' });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(idOf((await get()).body));
    expect([...seen].sort()).toEqual(['i-a', 'i-b', 'i-c']);
  });

  it('answers 503 exactly as ALB does when no target is registered', async () => {
    setTargets([]);
    const res = await get();
    expect(res.status).toBe(503);
    expect(res.headers['server']).toBe('awselb/2.0');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers['content-length']).toBe('162');
    expect(res.body).toBe(errorBody(503));
    expect(res.body).toContain('503 Service Temporarily Unavailable');
  });

  it('answers 503 while the load balancer is provisioning', async () => {
    lbState = 'provisioning';
    expect((await get()).status).toBe(503);
    lbState = 'active';
    expect((await get()).status).toBe(200);
  });

  it('answers 502 (122 bytes) when a target closes the connection without a response', async () => {
    const res = await get('/drop');
    expect(res.status).toBe(502);
    expect(res.headers['content-length']).toBe('122');
    expect(res.body).toBe(errorBody(502));
  });

  it('answers 502 when the target refuses the connection', async () => {
    const closing = targets[0];
    if (closing === undefined) throw new Error('no target');
    await new Promise((resolve) => closing.server.close(resolve));
    setTargets(['i-a']);
    expect((await get()).status).toBe(502);
  });

  it('answers 504 when the target does not respond within the idle timeout', async () => {
    const res = await get('/hold');
    expect(res.status).toBe(504);
    expect(res.body).toContain('504 Gateway Time-out');
  });

  it("passes the target's own response through unchanged, streamed", async () => {
    setTargets(['i-a']);
    const res = await get('/teapot');
    expect(res.status).toBe(418);
    expect(res.headers['x-custom']).toBe('kept');
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(res.headers['server']).toBeUndefined();
    expect(res.body).toBe('short and stout');
  });

  it('adds X-Forwarded-For/Proto/Port and a trace id, and forwards the body', async () => {
    setTargets(['i-a']);
    const res = await request(lbPort, '/echo', {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9', 'content-type': 'text/plain' },
      body: 'hello',
    });
    const seen = JSON.parse(res.body) as { headers: Record<string, string>; body: string };
    expect(seen.body).toBe('hello');
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-port']).toBe(String(lbPort));
    expect(seen.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  });

  it('keeps backend connections alive and reuses them, and serves client keep-alive', async () => {
    setTargets(['i-a']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(lbPort, '/', { agent });
      const second = await request(lbPort, '/', { agent });
      expect(JSON.parse(second.body).remotePort).toBe(JSON.parse(first.body).remotePort);
      expect(second.headers['connection']).toBe('keep-alive');
    } finally {
      agent.destroy();
    }
  });

  it('sends no new requests to a draining target but lets its in-flight request finish', async () => {
    setTargets(['i-a', 'i-b']);
    const slow = targets[0];
    if (slow === undefined) throw new Error('no target');
    // Round robin starts at i-a: the held request is in flight there.
    const inFlight = request(lbPort, '/hold');
    await new Promise<void>((resolve) => {
      const poll = (): void => (slow.held.length > 0 ? resolve() : void setTimeout(poll, 5));
      poll();
    });
    setTargets(['i-a', 'i-b'], ['i-a']);
    for (let i = 0; i < 4; i++) expect(idOf((await get()).body)).toBe('i-b');
    slow.held[0]?.end('finished');
    expect(await inFlight).toMatchObject({ status: 200, body: 'finished' });
  });

  it('cuts a request still in flight when the deregistration completes (502)', async () => {
    setTargets(['i-a']);
    const inFlight = request(lbPort, '/hold');
    await new Promise<void>((resolve) => {
      const poll = (): void => (targets[0]?.held.length ? resolve() : void setTimeout(poll, 5));
      poll();
    });
    setTargets([]);
    lb.cutTargetsOutside(new Set());
    expect((await inFlight).status).toBe(502);
  });

  it('answers TRACE with 405 and more than 30 X-Forwarded-For addresses with 463', async () => {
    expect((await request(lbPort, '/', { method: 'TRACE' })).status).toBe(405);
    const many = Array.from({ length: 31 }, (_, i) => `10.0.0.${i}`).join(', ');
    expect((await request(lbPort, '/', { headers: { 'x-forwarded-for': many } })).status).toBe(463);
  });

  it('answers malformed requests with 400 and keeps serving', async () => {
    const raw = (payload: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = net.connect(lbPort, '127.0.0.1', () => socket.write(payload));
        let data = '';
        socket.on('data', (c: Buffer) => {
          data += c.toString();
        });
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
    expect(await raw('NOT HTTP AT ALL\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400 Bad Request\r\nServer: awselb\/2\.0/,
    );
    expect(await raw(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect((await get()).status).toBe(200);
  });
});
