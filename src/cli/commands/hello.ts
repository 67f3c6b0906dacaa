/**
 * `resilient hello` — the seed's "Hello Service" for Elastic Load Balancing: DescribeLoadBalancers,
 * then the name and DNS name of up to 10 load balancers (there may be none).
 */
import { openElbv2 } from '../../aws/elbv2.ts';
import { cloudError } from '../aws-errors.ts';
import type { CommandContext } from '../commands.ts';
import { requireLocalCloud } from '../local-target.ts';
import { resolveRunOptions } from '../run-options.ts';

export async function run({ io, values }: CommandContext): Promise<void> {
  const options = await resolveRunOptions(values, io.env);
  const local = options.target === 'local' ? await requireLocalCloud(options.stateDir) : undefined;
  const elbv2 = openElbv2({
    ...(local === undefined
      ? { region: options.region }
      : { region: local.region, endpoint: local.endpoint, credentials: local.credentials }),
    maxAttempts: 3,
  });
  try {
    const lbs = await elbv2.api.listLoadBalancers(10).catch((error: unknown) => {
      throw cloudError(error, 'listing load balancers');
    });
    const where =
      local === undefined ? `in ${await elbv2.region()}` : `on the local cloud (${local.endpoint})`;
    io.line("Hello, Elastic Load Balancing! Let's list some of your load balancers:");
    if (lbs.length === 0) io.line(`        You don't have any load balancers ${where} yet.`);
    for (const lb of lbs) io.line(`        ${lb.LoadBalancerName ?? '?'}: ${lb.DNSName ?? '?'}`);
  } finally {
    elbv2.close();
  }
}
