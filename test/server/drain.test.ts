import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import { DEFAULT_PARAMETER_NAMES } from '../../src/server/env.ts';
import { type AwsStub, parametersFrom, startAwsStub } from '../_support/aws-stub.ts';
import { type ImdsStub, startImdsStub } from '../_support/imds-stub.ts';
import { getItemFrom, IDENTITY, TEST_CREDENTIALS } from '../_support/server-harness.ts';

const MAIN = fileURLToPath(new URL('../../src/server/main.ts', import.meta.url));

let child: ChildProcess | undefined;
let aws: AwsStub | undefined;
let imds: ImdsStub | undefined;

afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  await aws?.close();
  await imds?.close();
});

interface Spawned {
  readonly process: ChildProcess;
  readonly port: number;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/** Spawns `node src/server/main.ts` and waits (bounded) for its `listening` line. */
async function spawnServer(env: Record<string, string>, args: string[] = []): Promise<Spawned> {
  const proc = spawn(process.execPath, [MAIN, '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let partial = '';
  const port = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('server did not log listening within 20 s')), 20_000);
    proc.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (line['msg'] === 'listening') {
          clearTimeout(deadline);
          resolve(Number(line['port']));
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`server exited with ${code} before listening`));
    });
  });
  return { process: proc, port, lines, exited };
}

describe('the server process', () => {
  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    aws = await startAwsStub();
    imds = await startImdsStub(IDENTITY);
    aws.on(
      'GetParameters',
      parametersFrom(() => ({ [DEFAULT_PARAMETER_NAMES.table]: 'recommendations' })),
    );
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const answer = getItemFrom(RECOMMENDATIONS);
    aws.on('GetItem', async (input) => {
      await released;
      return answer(input);
    });
    const server = await spawnServer({
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      RESILIENT_DEPENDENCY_TIMEOUT_MS: '4000',
    });

    const slow = fetch(`http://127.0.0.1:${server.port}/`);
    await expect.poll(() => aws?.count('GetItem'), { timeout: 10_000 }).toBe(1);
    server.process.kill('SIGTERM');
    await expect
      .poll(() => server.lines.some((l) => l['msg'] === 'stopping'), { timeout: 10_000 })
      .toBe(true);
    // New connections are refused once draining started.
    await expect(fetch(`http://127.0.0.1:${server.port}/healthcheck`)).rejects.toThrow();
    release();

    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Metadata: { InstanceId: IDENTITY.instanceId } });
    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it('exits 2 with a JSON error line on invalid configuration', async () => {
    const proc = spawn(process.execPath, [MAIN, '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', RESILIENT_DEPENDENCY_TIMEOUT_MS: '5000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code).toBe(2);
    expect(JSON.parse(stderr.trim())).toMatchObject({ level: 'error', msg: 'server failed to start' });
    expect(stderr).toContain('RESILIENT_DEPENDENCY_TIMEOUT_MS');
  });
});
