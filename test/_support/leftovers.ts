/**
 * Everything of deployment `name` that still exists, asked of the cloud with the SDK (not of the
 * checkpoint): destroy finally verifies that nothing of the deployment remains (docs/architecture.md#orchestration).
 */
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetInstanceProfileCommand, GetPolicyCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Clients } from '../../src/aws/clients.ts';
import { DEPLOYMENT_TAG_KEY, resourceNames } from '../../src/names.ts';

const gone = async (probe: () => Promise<unknown>): Promise<boolean> => {
  try {
    await probe();
    return false;
  } catch (error: unknown) {
    const name = error instanceof Error ? error.name : '';
    if (/NoSuchEntity|NotFound/.test(name)) return true;
    throw error;
  }
};

export async function leftovers(c: Clients, name: string): Promise<string[]> {
  // IAM names carry the Region (they are global); the names from before that are checked too.
  const region = await c.sts.config.region();
  const n = resourceNames(name, region);
  const legacy = resourceNames(name);
  const prefix = `resilient-${name}-`;
  const out: string[] = [];
  const tables = await c.dynamodb.send(new ListTablesCommand({}));
  for (const t of tables.TableNames ?? []) if (t.startsWith(prefix)) out.push(`table ${t}`);
  const params = await c.ssm.send(
    new GetParametersCommand({
      Names: [n.parameters.table, n.parameters.failureResponse, n.parameters.healthCheck],
    }),
  );
  for (const p of params.Parameters ?? []) out.push(`parameter ${p.Name}`);
  const account = (await c.sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  for (const role of [n.instanceRole, n.bcRole, legacy.instanceRole, legacy.bcRole]) {
    if (!(await gone(() => c.iam.send(new GetRoleCommand({ RoleName: role }))))) out.push(`role ${role}`);
  }
  for (const profile of [n.instanceProfile, n.bcProfile, legacy.instanceProfile, legacy.bcProfile]) {
    if (!(await gone(() => c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile })))))
      out.push(`instance profile ${profile}`);
  }
  for (const policy of [n.instancePolicy, n.bcPolicy, legacy.instancePolicy, legacy.bcPolicy]) {
    const arn = `arn:aws:iam::${account}:policy/${policy}`;
    if (!(await gone(() => c.iam.send(new GetPolicyCommand({ PolicyArn: arn })))))
      out.push(`policy ${policy}`);
  }
  const templates = await c.ec2
    .send(new DescribeLaunchTemplatesCommand({}))
    .catch(() => ({ LaunchTemplates: [] }));
  for (const t of templates.LaunchTemplates ?? [])
    if (t.LaunchTemplateName?.startsWith(prefix)) out.push(`launch template ${t.LaunchTemplateName}`);
  const groups = await c.autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  for (const g of groups.AutoScalingGroups ?? [])
    if (g.AutoScalingGroupName?.startsWith(prefix)) out.push(`group ${g.AutoScalingGroupName}`);
  const lbs = await c.elbv2.send(new DescribeLoadBalancersCommand({}));
  for (const lb of lbs.LoadBalancers ?? [])
    if (lb.LoadBalancerName?.startsWith(prefix)) out.push(`load balancer ${lb.LoadBalancerName}`);
  const tgs = await c.elbv2.send(new DescribeTargetGroupsCommand({}));
  for (const tg of tgs.TargetGroups ?? [])
    if (tg.TargetGroupName?.startsWith(prefix)) out.push(`target group ${tg.TargetGroupName}`);
  // Only this deployment's instances (its group tags them at launch): another test's leftovers are
  // that test's failure, not this one's.
  const instances = await c.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG_KEY}`, Values: [name] }] }),
  );
  for (const r of instances.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      const state = i.State?.Name ?? '';
      if (state !== 'terminated' && state !== 'shutting-down')
        out.push(`instance ${i.InstanceId} (${state})`);
    }
  }
  return out;
}
