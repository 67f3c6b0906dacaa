import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, spawnCli, tempDir } from '../_support/cli.ts';
import { useE2eCloud } from '../_support/e2e-cloud.ts';

const e2e = useE2eCloud('resilient-e2e-hello-', 0.05);
const { config, state } = e2e;
const empty = tempDir('resilient-e2e-none-');
afterAll(() => {
  empty.remove();
});

const cli = (...args: string[]) => spawnCli(args, { env: baseEnv(config.path), deadlineMs: 30_000 });

describe('hello and local against a local cloud', () => {
  it('local status reports the running cloud, in text and JSON', async () => {
    const text = await cli('local', 'status', '--state-dir', state.path);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`running at ${e2e.cloud.endpoint}`);
    const json = JSON.parse((await cli('local', 'status', '--state-dir', state.path, '--json')).stdout);
    expect(json).toMatchObject({ running: true, endpoint: e2e.cloud.endpoint, profile: 'resilient-local' });
  });

  it('hello greets and lists the load balancers by name and DNS name', async () => {
    const none = await cli('hello', '--state-dir', state.path);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    expect(none.stdout).toContain("You don't have any load balancers");

    const subnets = await e2e.cloud.clients.ec2.send(new DescribeSubnetsCommand({}));
    const created = await e2e.cloud.clients.elbv2.send(
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
      await e2e.cloud.clients.elbv2.send(
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
