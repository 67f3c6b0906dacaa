import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../../src/local/dataplane/fault-proxy.ts';

/** A TCP echo server standing in for the workload. */
async function startEcho(): Promise<{ server: net.Server; port: number; peers: Set<net.Socket> }> {
  const peers = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    peers.add(socket);
    socket.on('close', () => peers.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, peers };
}

const connect = (port: number): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });

const closed = (socket: net.Socket): Promise<void> =>
  new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

const echoOf = (socket: net.Socket, text: string): Promise<string> =>
  new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.write(text);
  });

describe('fault proxy routing', () => {
  let proxy: FaultProxy;
  let echo: Awaited<ReturnType<typeof startEcho>>;
  const sockets: net.Socket[] = [];
  beforeEach(async () => {
    proxy = await startFaultProxy();
    echo = await startEcho();
  });
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await proxy.close();
    for (const peer of echo.peers) peer.destroy();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('routes straight to the workload only while it listens and no fault is set', () => {
    expect(proxy.route()).toEqual({ endpoint: proxy.port });
    proxy.setUpstream(echo.port);
    expect(proxy.route().endpoint).toBe(echo.port);
    expect(proxy.route().track).toBeTypeOf('function');
    proxy.setFault({ kind: 'slow', delayMs: 10 });
    expect(proxy.route()).toEqual({ endpoint: proxy.port });
    proxy.setFault({ kind: 'hang' });
    expect(proxy.route()).toEqual({ endpoint: proxy.port });
    proxy.setFault({ kind: 'none' });
    expect(proxy.route().endpoint).toBe(echo.port);
    proxy.setUpstream(undefined);
    expect(proxy.route()).toEqual({ endpoint: proxy.port });
  });

  it('swallows a tracked direct connection on hang and resets it on heal, like a relayed one', async () => {
    proxy.setUpstream(echo.port);
    const direct = await connect(echo.port);
    const relayed = await connect(proxy.port);
    sockets.push(direct, relayed);
    direct.on('error', () => undefined);
    relayed.on('error', () => undefined);
    proxy.route().track?.(direct);
    expect(await echoOf(direct, 'ping')).toBe('ping');
    expect(await echoOf(relayed, 'ping')).toBe('ping');
    proxy.setFault({ kind: 'hang' });
    // Swallowed: nothing is read from it any more and what is written stays in the process.
    expect(direct.isPaused()).toBe(true);
    expect(direct.writableCorked).toBeGreaterThan(0);
    proxy.setFault({ kind: 'none' });
    await Promise.all([closed(direct), closed(relayed)]);
  });

  it('resets tracked direct connections when the host goes down, and leaves untracked ones alone', async () => {
    proxy.setUpstream(echo.port);
    const tracked = await connect(echo.port);
    const other = await connect(echo.port);
    sockets.push(tracked, other);
    tracked.on('error', () => undefined);
    proxy.route().track?.(tracked);
    proxy.dropConnections();
    await closed(tracked);
    expect(await echoOf(other, 'still here')).toBe('still here');
  });
});
