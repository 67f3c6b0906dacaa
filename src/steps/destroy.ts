import type { DestroyFacts, DestroyStep } from '../../machines/destroy.ts';
import type { StepInput } from '../../machines/step-kit.ts';
import type { ResourceKind } from '../checkpoint/schema.ts';
import { DEPLOYMENT_TAG_KEY, resourceNames, taggedAsOurs } from '../names.ts';
import { asActors, done, notYet, type StepDeps, type StepFn } from './deps.ts';

type Fn = StepFn<DestroyFacts>;
type In = StepInput<DestroyFacts>;

interface IamSet {
  readonly policy: string;
  readonly role: string;
  readonly profile: string;
  /** A name from before IAM names carried the Region, recorded in this checkpoint's ledger. */
  readonly legacy: boolean;
}
const IAM_KINDS: readonly ResourceKind[] = ['policy', 'role', 'instance-profile'];

/** Instance states that still count as "running" for destroy (everything but terminated). */
const LIVE = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

/**
 * Every destroy step works by deterministic name first (so it needs no ledger and no deploy facts),
 * treats not-found as done, and marks the ledger `deleting` before and `deleted` after.
 */
export function destroySteps(deps: StepDeps): Record<DestroyStep, Fn> {
  const { aws, names, ledger } = deps;
  const gone = (kind: ResourceKind, name: string, existed: boolean) => {
    ledger.deleted(kind, name);
    deps.emit({ type: 'resource', action: existed ? 'deleted' : 'absent', kind, name });
  };
  const liveInstances = (signal: AbortSignal) =>
    aws.ec2.instances(
      [
        { Name: `tag:${DEPLOYMENT_TAG_KEY}`, Values: [names.deployment] },
        { Name: 'instance-state-name', Values: LIVE },
      ],
      { signal },
    );
  const policyArn = async (name: string, input: In, signal: AbortSignal): Promise<string> => {
    const recorded = ledger.find('policy', name)?.arn;
    if (recorded !== undefined) return recorded;
    const account = input.facts.accountId ?? (await aws.sts.getCallerIdentity({ signal })).account;
    return `arn:${input.facts.partition ?? 'aws'}:iam::${account}:policy/${name}`;
  };

  /**
   * IAM is global: a role of this name may be another Region's deployment of the same name, or someone
   * else's. Only what is tagged as this deployment in this Region is deleted (and counted as left over),
   * plus the names before they were Region-safe when this checkpoint's ledger records them (B2).
   */
  const legacy = resourceNames(names.deployment);
  const iamSets = (): IamSet[] => {
    const sets: IamSet[] = [
      {
        policy: names.instancePolicy,
        role: names.instanceRole,
        profile: names.instanceProfile,
        legacy: false,
      },
      { policy: names.bcPolicy, role: names.bcRole, profile: names.bcProfile, legacy: false },
    ];
    for (const set of [
      { policy: legacy.instancePolicy, role: legacy.instanceRole, profile: legacy.instanceProfile },
      { policy: legacy.bcPolicy, role: legacy.bcRole, profile: legacy.bcProfile },
    ]) {
      const recorded = ledger
        .entries()
        .some(
          (e) => IAM_KINDS.includes(e.kind) && Object.values(set).includes(e.name) && e.status !== 'deleted',
        );
      if (recorded && set.role !== names.instanceRole && set.role !== names.bcRole)
        sets.push({ ...set, legacy: true });
    }
    return sets;
  };
  const ours = (set: IamSet, tags: { Key?: string; Value?: string }[] | undefined) =>
    set.legacy || taggedAsOurs(tags, names.deployment, deps.region);
  /** Records the outcome for one IAM entity: gone, or left alone because it is not ours. */
  const settle = (
    kind: 'instance-profile' | 'role' | 'policy',
    set: IamSet,
    found: { Tags?: { Key?: string; Value?: string }[] } | undefined,
  ) => {
    const name = kind === 'instance-profile' ? set.profile : kind === 'role' ? set.role : set.policy;
    if (found !== undefined && !ours(set, found.Tags)) {
      deps.emit({
        type: 'info',
        message: `IAM ${kind} ${name} is not this deployment's in ${deps.region}: left alone.`,
      });
      return;
    }
    gone(kind, name, found !== undefined);
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
      for (const set of iamSets()) {
        // Profiles: remove their roles, then delete them (seed "Destroy" step 7).
        const profile = await aws.iam.getInstanceProfile(set.profile, { signal });
        if (profile !== undefined && ours(set, profile.Tags)) {
          ledger.deleting('instance-profile', set.profile);
          for (const role of profile.Roles ?? []) {
            if (role.RoleName !== undefined)
              await aws.iam.removeRoleFromInstanceProfile(set.profile, role.RoleName, { signal });
          }
          if ((await aws.iam.deleteInstanceProfile(set.profile, { signal })) === 'in-use') {
            return notYet(input, `instance profile ${set.profile} still in use`);
          }
        }
        settle('instance-profile', set, profile);
        // Roles: detach every attached policy (ours are deleted below; AWS managed ones are only detached).
        const role = await aws.iam.getRole(set.role, { signal });
        if (role !== undefined && ours(set, role.Tags)) {
          ledger.deleting('role', set.role);
          for (const policy of (await aws.iam.listAttachedRolePolicies(set.role, { signal })) ?? [])
            await aws.iam.detachRolePolicy(set.role, policy.arn, { signal });
          if ((await aws.iam.deleteRole(set.role, { signal })) === 'in-use')
            return notYet(input, `role ${set.role} still in use`);
        }
        settle('role', set, role);
        const arn = await policyArn(set.policy, input, signal);
        const policy = await aws.iam.getPolicy(arn, { signal });
        if (policy !== undefined && ours(set, policy.Tags)) {
          if ((await aws.iam.deletePolicy(arn, { signal })) === 'in-use')
            return notYet(input, `policy ${set.policy} still attached`);
        }
        settle('policy', set, policy);
      }
      return done();
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
      for (const set of iamSets()) {
        const profile = await aws.iam.getInstanceProfile(set.profile, { signal });
        if (profile !== undefined && ours(set, profile.Tags)) left.push(`instance profile ${set.profile}`);
        const role = await aws.iam.getRole(set.role, { signal });
        if (role !== undefined && ours(set, role.Tags)) left.push(`role ${set.role}`);
        const arn = await policyArn(set.policy, input, signal);
        const policy = await aws.iam.getPolicy(arn, { signal });
        if (policy !== undefined && ours(set, policy.Tags)) left.push(`policy ${arn}`);
      }
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
