import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, killLeftovers, spawnCli, tempDir } from '../_support/cli.ts';
import { type E2eCloud, startCloudViaCli } from '../_support/local-cloud.ts';

const config = tempDir();
const state = tempDir('resilient-e2e-hello-');
const empty = tempDir('resilient-e2e-none-');
let cloud: E2eCloud;

beforeAll(async () => {
  cloud = await startCloudViaCli(state.path, config.path, 0.05);
});
afterAll(async () => {
  killLeftovers();
  await cloud?.stop();
  config.remove();
  state.remove();
  empty.remove();
});

const cli = (...args: string[]) => spawnCli(args, { env: baseEnv(config.path), deadlineMs: 30_000 });

describe('hello and local against a local cloud', () => {
  it('local status reports the running cloud, in text and JSON', async () => {
    const text = await cli('local', 'status', '--state-dir', state.path);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`running at ${cloud.endpoint}`);
    const json = JSON.parse((await cli('local', 'status', '--state-dir', state.path, '--json')).stdout);
    expect(json).toMatchObject({ running: true, endpoint: cloud.endpoint, profile: 'resilient-local' });
  });

  it('hello greets and lists the load balancers by name and DNS name', async () => {
    const none = await cli('hello', '--state-dir', state.path);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    expect(none.stdout).toContain("You don't have any load balancers");

    const subnets = await cloud.clients.ec2.send(new DescribeSubnetsCommand({}));
    const created = await cloud.clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'hello-e2e-lb',
        Subnets: (subnets.Subnets ?? []).slice(0, 2).map((s) => s.SubnetId ?? ''),
      }),
    );
    const lb = created.LoadBalancers?.[0];
    try {
      const listed = await cli('hello', '--state-dir', state.path);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(`        hello-e2e-lb: ${lb?.DNSName}`);
    } finally {
      await cloud.clients.elbv2.send(
        new DeleteLoadBalancerCommand({ LoadBalancerArn: lb?.LoadBalancerArn ?? '' }),
      );
    }
  });

  it('hello and local status say the local cloud is not running, with the command that starts it (exit 1)', async () => {
    const hello = await cli('hello', '--state-dir', empty.path);
    expect(hello.code).toBe(1);
    expect(hello.stderr).toContain('The local cloud is not running');
    expect(hello.stderr).toContain('resilient local start');
    const status = await cli('local', 'status', '--state-dir', empty.path);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('The local cloud is not running');
  });
});
