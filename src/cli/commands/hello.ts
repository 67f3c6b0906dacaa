/**
 * `resilient hello` — the seed's "Hello Service" for Elastic Load Balancing: DescribeLoadBalancers,
 * then the name and DNS name of up to 10 load balancers (there may be none).
 */
import { cloudError } from '../aws-errors.ts';
import type { CommandContext } from '../commands.ts';
import { requireLocalCloud } from '../local-target.ts';
import { resolveRunOptions } from '../run-options.ts';

export async function run({ io, values }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } = await import(
    '@aws-sdk/client-elastic-load-balancing-v2'
  );
  const local = options.target === 'local' ? await requireLocalCloud(options.stateDir) : undefined;
  const client = new ElasticLoadBalancingV2Client({
    ...(local === undefined
      ? options.region === undefined
        ? {}
        : { region: options.region }
      : { region: local.region, endpoint: local.endpoint, credentials: local.credentials }),
    maxAttempts: 3,
  });
  try {
    const out = await client
      .send(new DescribeLoadBalancersCommand({ PageSize: 10 }))
      .catch((error: unknown) => {
        throw cloudError(error, 'listing load balancers');
      });
    const where =
      local === undefined ? `in ${await client.config.region()}` : `on the local cloud (${local.endpoint})`;
    io.line("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    const lbs = (out.LoadBalancers ?? []).slice(0, 10);
    if (lbs.length === 0) io.line(`        You don't have any load balancers ${where} yet.`);
    for (const lb of lbs) io.line(`        ${lb.LoadBalancerName ?? '?'}: ${lb.DNSName ?? '?'}`);
  } finally {
    client.destroy();
  }
}
