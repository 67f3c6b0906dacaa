import type { DestroyFacts, DestroyStep } from '../../machines/destroy.ts';
import type { StepInput } from '../../machines/step-kit.ts';
import type { ResourceKind } from '../checkpoint/schema.ts';
import { DEPLOYMENT_TAG_KEY } from '../names.ts';
import { asActors, done, notYet, type StepDeps, type StepFn } from './deps.ts';
import { deleteIamSets, iamLeftovers } from './iam.ts';
import { recordGone } from './kit.ts';

type Fn = StepFn<DestroyFacts>;
type In = StepInput<DestroyFacts>;

/** Instance states that still count as "running" for destroy (everything but terminated). */
const LIVE = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

/**
 * Every destroy step works by deterministic name first (so it needs no ledger and no deploy facts),
 * treats not-found as done, and marks the ledger `deleting` before and `deleted` after.
 */
export function destroySteps(deps: StepDeps): Record<DestroyStep, Fn> {
  const { aws, names, ledger } = deps;
  const gone = (kind: ResourceKind, name: string, existed: boolean) => recordGone(deps, kind, name, existed);
  const liveInstances = (signal: AbortSignal) =>
    aws.ec2.instances(
      [
        { Name: `tag:${DEPLOYMENT_TAG_KEY}`, Values: [names.deployment] },
        { Name: 'instance-state-name', Values: LIVE },
      ],
      { signal },
    );
  /** A policy's ARN: the ledger's, else built (customer managed policy ARNs are deterministic). */
  const policyArn =
    (input: In, signal: AbortSignal) =>
    async (name: string): Promise<string> => {
      const recorded = ledger.find('policy', name)?.arn;
      if (recorded !== undefined) return recorded;
      const account = input.facts.accountId ?? (await aws.sts.getCallerIdentity({ signal })).account;
      return `arn:${input.facts.partition ?? 'aws'}:iam::${account}:policy/${name}`;
    };

  return {
    async detachingTargetGroup(_input, signal) {
      // Detach before deleting: a target group deleted while the group still lists it leaves the group
      // registering and deregistering instances with a target group that is gone ("Detach a target
      // group", Amazon EC2 Auto Scaling User Guide). Detaching deregisters the instances, which drain.
      await aws.autoscaling.detachAllTargetGroups(names.group, { signal });
      return done();
    },
    async deletingLoadBalancer(_input, signal) {
      const lb = await aws.elbv2.describeLoadBalancer(names.loadBalancer, { signal });
      if (lb?.LoadBalancerArn === undefined) return done();
      ledger.deleting('load-balancer', names.loadBalancer);
      await aws.elbv2.deleteLoadBalancer(lb.LoadBalancerArn, { signal });
      return done();
    },
    async lbDeleting(input, signal) {
      const lb = await aws.elbv2.describeLoadBalancer(names.loadBalancer, { signal });
      if (lb !== undefined) return notYet(input, 'load balancer still exists');
      // Deleting a load balancer deletes its listeners.
      if (ledger.find('listener', `${names.loadBalancer}:80`) !== undefined)
        ledger.deleted('listener', `${names.loadBalancer}:80`);
      gone(
        'load-balancer',
        names.loadBalancer,
        ledger.find('load-balancer', names.loadBalancer) !== undefined,
      );
      return done();
    },
    async deletingTargetGroup(input, signal) {
      const group = await aws.elbv2.describeTargetGroup(names.targetGroup, { signal });
      if (group?.TargetGroupArn === undefined) {
        gone('target-group', names.targetGroup, false);
        return done();
      }
      ledger.deleting('target-group', names.targetGroup);
      const result = await aws.elbv2.deleteTargetGroup(group.TargetGroupArn, { signal });
      if (result === 'in-use') return notYet(input, 'target group not yet released by the load balancer');
      gone('target-group', names.targetGroup, result === 'deleted');
      return done();
    },
    async scalingToZero(_input, signal) {
      const result = await aws.autoscaling.setSize(names.group, { min: 0, max: 0, desired: 0 }, { signal });
      if (result === 'updated') ledger.deleting('auto-scaling-group', names.group);
      return done();
    },
    async instancesTerminating(input, signal) {
      const group = await aws.autoscaling.describeGroup(names.group, { signal });
      const left = group?.Instances?.length ?? 0;
      if (left === 0) return done();
      deps.emit({
        type: 'wait-progress',
        what: `instances of ${names.group}`,
        deadline: input.deadline,
        detail: `${left} still in the group`,
      });
      return notYet(input, `${left} instances still in the group`);
    },
    async deletingGroup(input, signal) {
      const result = await aws.autoscaling.deleteGroup(names.group, { signal });
      if (result === 'activity-in-progress') return notYet(input, 'a scaling activity is in progress');
      if (result === 'in-use') return notYet(input, 'instances are still in the group');
      gone('auto-scaling-group', names.group, result === 'deleted');
      return done();
    },
    async deletingLaunchTemplate(_input, signal) {
      ledger.deleting('launch-template', names.launchTemplate);
      const result = await aws.ec2.deleteLaunchTemplate(names.launchTemplate, { signal });
      gone('launch-template', names.launchTemplate, result === 'deleted');
      return done();
    },
    async deletingIam(input, signal) {
      const busy = await deleteIamSets(deps, policyArn(input, signal), signal);
      return busy === undefined ? done() : notYet(input, busy);
    },
    async deletingTable(input, signal) {
      const table = await aws.dynamodb.describeTable(names.table, { signal });
      if (table === undefined) {
        gone('table', names.table, ledger.find('table', names.table)?.status === 'deleting');
        return done();
      }
      ledger.deleting('table', names.table);
      if (table.TableStatus !== 'DELETING') {
        const result = await aws.dynamodb.deleteTable(names.table, { signal });
        if (result === 'in-use') return notYet(input, `table is ${table.TableStatus}`);
      }
      // DeleteTable answers DELETING; the table is gone when DescribeTable says ResourceNotFound.
      if ((await aws.dynamodb.describeTable(names.table, { signal })) === undefined) {
        gone('table', names.table, true);
        return done();
      }
      return notYet(input, 'table is being deleted');
    },
    async deletingParameters(_input, signal) {
      for (const name of Object.values(names.parameters)) {
        const result = await aws.ssm.deleteParameter(name, { signal });
        gone('parameter', name, result === 'deleted');
      }
      return done();
    },
    async revokingIngress(_input, signal) {
      for (const entry of ledger.entries()) {
        if (entry.kind !== 'ingress-rule' || entry.status === 'deleted') continue;
        const [groupId = '', cidr = '', port = '80'] = entry.name.split('|');
        ledger.deleting('ingress-rule', entry.name);
        const result = await aws.ec2.revokeIngress({ groupId, cidr, port: Number(port) }, { signal });
        gone('ingress-rule', entry.name, result === 'revoked');
      }
      // The rule is tagged when it is added: found by tag, it is revoked even when the checkpoint is
      // lost, corrupt or from a version whose ledger we could not read.
      for (const rule of await aws.ec2.ingressRulesByTag(DEPLOYMENT_TAG_KEY, names.deployment, { signal })) {
        const name = `${rule.groupId}|${rule.cidr}|${rule.port}`;
        const result = await aws.ec2.revokeIngressRules(rule.groupId, [rule.ruleId], { signal });
        gone('ingress-rule', name, result === 'revoked');
      }
      return done();
    },
    async sweeping(_input, signal) {
      // What the ledger missed: instances and launch templates found by our tag.
      const found: string[] = [];
      const instances = (await liveInstances(signal)).filter((i) => i.state !== 'shutting-down');
      if (instances.length > 0) {
        found.push(...instances.map((i) => `instance ${i.id}`));
        await aws.ec2.terminateInstances(
          instances.map((i) => i.id),
          { signal },
        );
      }
      for (const template of await aws.ec2.launchTemplatesByTag(DEPLOYMENT_TAG_KEY, names.deployment, {
        signal,
      })) {
        found.push(`launch template ${template.name}`);
        await aws.ec2.deleteLaunchTemplate(template.name, { signal });
      }
      deps.emit({ type: 'sweep', found });
      return done({ swept: found });
    },
    async verifying(input, signal) {
      const left: string[] = [];
      if ((await aws.elbv2.describeLoadBalancer(names.loadBalancer, { signal })) !== undefined)
        left.push(`load balancer ${names.loadBalancer}`);
      if ((await aws.elbv2.describeTargetGroup(names.targetGroup, { signal })) !== undefined)
        left.push(`target group ${names.targetGroup}`);
      if ((await aws.autoscaling.describeGroup(names.group, { signal })) !== undefined)
        left.push(`group ${names.group}`);
      if ((await aws.ec2.describeLaunchTemplate(names.launchTemplate, { signal })) !== undefined)
        left.push(`launch template ${names.launchTemplate}`);
      for (const i of await liveInstances(signal)) left.push(`instance ${i.id} (${i.state})`);
      left.push(...(await iamLeftovers(deps, policyArn(input, signal), signal)));
      if ((await aws.dynamodb.describeTable(names.table, { signal })) !== undefined)
        left.push(`table ${names.table}`);
      for (const rule of await aws.ec2.ingressRulesByTag(DEPLOYMENT_TAG_KEY, names.deployment, { signal }))
        left.push(`ingress rule ${rule.ruleId} (${rule.cidr} on ${rule.groupId})`);
      const params = await aws.ssm.getParameters(Object.values(names.parameters), { signal });
      for (const name of Object.keys(params.values)) left.push(`parameter ${name}`);
      if (left.length > 0) return notYet(input, `still present: ${left.join(', ')}`);
      return done({ leftovers: [] });
    },
  };
}

/** The steps as the machine's named actors. */
export const destroyActors = (deps: StepDeps) => asActors(destroySteps(deps));
