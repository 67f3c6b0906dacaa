import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { SecurityGroup } from '@aws-sdk/client-ec2';
import type {
  LoadBalancer,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { InstanceProfile, Role } from '@aws-sdk/client-iam';
import type { AutoScaling } from '../../../src/aws/autoscaling.ts';
import type { DynamoDb } from '../../../src/aws/dynamodb.ts';
import type { Ec2 } from '../../../src/aws/ec2.ts';
import type { Elbv2 } from '../../../src/aws/elbv2.ts';
import type { Iam } from '../../../src/aws/iam.ts';
import type { Aws } from '../../../src/aws/index.ts';
import { created, existing } from '../../../src/aws/result.ts';
import type { Ssm } from '../../../src/aws/ssm.ts';
import { AL2023_AMI_PARAMETER } from '../../../src/aws/ssm.ts';
import type { Sts } from '../../../src/aws/sts.ts';
import { type FaultKind, Faults, fatal, throttled } from './faults.ts';
import { ACCOUNT, AMI, type FakeInstance, REGION, VPC, type World, ZONES } from './world.ts';

/**
 * The `Aws` wrapper interfaces implemented over the fake world, with the values the real wrappers turn
 * AWS's expected errors into (`exists`, `not-found`, `in-use`, `activity-in-progress`, `profile-not-ready`).
 * Every call waits `latencyMs` (at least one macrotask), applies due transitions, then consults the faults.
 * `alive` turning false models SIGKILL: every later call of this client fails before reaching the world.
 */
export function fakeAws(world: World, faults: Faults, calls: string[], alive: () => boolean): Aws {
  const enter = async (op: string, canBeRetryable = false): Promise<FaultKind | undefined> => {
    await new Promise<void>((resolve) =>
      world.delays.latencyMs > 0 ? setTimeout(resolve, world.delays.latencyMs) : setImmediate(resolve),
    );
    // A killed process sends nothing more; a call already on the wire (past its latency) completes.
    if (!alive()) throw new Error(`${op}: the process was killed`);
    calls.push(op);
    world.settle();
    const fault = faults.take(op, canBeRetryable);
    if (fault === 'throttle') throw throttled(op);
    if (fault === 'fatal') throw fatal(op);
    return fault;
  };
  const now = () => world.now();
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

  const sts: Sts = {
    async getCallerIdentity() {
      await enter('sts.getCallerIdentity');
      return { account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/fake` };
    },
  };

  const role = (name: string): Role => ({
    Path: '/',
    RoleName: name,
    RoleId: `AROA${name.length}`,
    Arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
    CreateDate: new Date(0),
  });
  const profileShape = (name: string): InstanceProfile | undefined => {
    const p = world.profiles.get(name);
    if (p === undefined) return undefined;
    return {
      Path: '/',
      InstanceProfileName: p.name,
      InstanceProfileId: `AIPA${p.name.length}`,
      Arn: p.arn,
      CreateDate: new Date(0),
      Roles: p.roles.map(role),
      Tags: world.iamTags.get(`instance-profile:${name}`) ?? [],
    };
  };
  const iam: Iam = {
    async createPolicy({ name, tags }) {
      await enter('iam.createPolicy');
      const arn = `arn:aws:iam::${ACCOUNT}:policy/${name}`;
      const shape = () => ({ PolicyName: name, Arn: arn, Tags: world.iamTags.get(`policy:${name}`) ?? [] });
      if (world.policies.has(arn)) return existing(shape());
      world.policies.set(arn, { name, arn });
      world.iamTags.set(`policy:${name}`, tags);
      world.created('policy', name);
      return created(shape());
    },
    async getPolicy(arn) {
      await enter('iam.getPolicy');
      const p = world.policies.get(arn);
      return p === undefined
        ? undefined
        : { PolicyName: p.name, Arn: p.arn, Tags: world.iamTags.get(`policy:${p.name}`) ?? [] };
    },
    async deletePolicy(arn) {
      await enter('iam.deletePolicy');
      if (!world.policies.has(arn)) return 'not-found';
      if ([...world.roles.values()].some((r) => r.attached.has(arn))) return 'in-use';
      world.policies.delete(arn);
      return 'deleted';
    },
    async createRole({ name, tags }) {
      await enter('iam.createRole');
      const shape = () => ({ ...role(name), Tags: world.iamTags.get(`role:${name}`) ?? [] });
      if (world.roles.has(name)) return existing(shape());
      world.roles.set(name, { name, arn: role(name).Arn ?? '', attached: new Set() });
      world.iamTags.set(`role:${name}`, tags);
      world.created('role', name);
      return created(shape());
    },
    async getRole(name) {
      await enter('iam.getRole');
      return world.roles.has(name)
        ? { ...role(name), Tags: world.iamTags.get(`role:${name}`) ?? [] }
        : undefined;
    },
    async deleteRole(name) {
      await enter('iam.deleteRole');
      const r = world.roles.get(name);
      if (r === undefined) return 'not-found';
      // DeleteConflict: policies attached, or the role is still in an instance profile.
      if (r.attached.size > 0 || [...world.profiles.values()].some((p) => p.roles.includes(name)))
        return 'in-use';
      world.roles.delete(name);
      return 'deleted';
    },
    async attachRolePolicy(roleName, arn) {
      await enter('iam.attachRolePolicy');
      const r = world.roles.get(roleName);
      if (r === undefined || !world.policies.has(arn)) return 'not-found';
      r.attached.add(arn);
      return 'attached';
    },
    async detachRolePolicy(roleName, arn) {
      await enter('iam.detachRolePolicy');
      const r = world.roles.get(roleName);
      if (r === undefined || !r.attached.delete(arn)) return 'not-found';
      return 'detached';
    },
    async listAttachedRolePolicies(roleName) {
      await enter('iam.listAttachedRolePolicies');
      const r = world.roles.get(roleName);
      if (r === undefined) return undefined;
      return [...r.attached].map((arn) => ({ arn, name: arn.split('/').at(-1) ?? '' }));
    },
    async createInstanceProfile({ name, tags }) {
      await enter('iam.createInstanceProfile');
      if (world.profiles.has(name)) return existing(profileShape(name) as InstanceProfile);
      world.iamTags.set(`instance-profile:${name}`, tags);
      world.profiles.set(name, {
        name,
        arn: `arn:aws:iam::${ACCOUNT}:instance-profile/${name}`,
        roles: [],
        visibleAt: now() + world.delays.profileVisibleMs,
      });
      world.created('instance-profile', name);
      return created(profileShape(name) as InstanceProfile);
    },
    async getInstanceProfile(name) {
      await enter('iam.getInstanceProfile');
      return profileShape(name);
    },
    async addRoleToInstanceProfile(profile, roleName) {
      await enter('iam.addRoleToInstanceProfile');
      const p = world.profiles.get(profile);
      if (p === undefined || !world.roles.has(roleName)) return 'not-found';
      if (p.roles.length > 0) return 'already';
      p.roles.push(roleName);
      return 'added';
    },
    async removeRoleFromInstanceProfile(profile, roleName) {
      await enter('iam.removeRoleFromInstanceProfile');
      const p = world.profiles.get(profile);
      if (p === undefined || !p.roles.includes(roleName)) return 'not-found';
      p.roles = p.roles.filter((r) => r !== roleName);
      return 'removed';
    },
    async deleteInstanceProfile(name) {
      await enter('iam.deleteInstanceProfile');
      const p = world.profiles.get(name);
      if (p === undefined) return 'not-found';
      if (p.roles.length > 0) return 'in-use';
      world.profiles.delete(name);
      return 'deleted';
    },
  };

  const ssm: Ssm = {
    async putParameter({ name, value }) {
      await enter('ssm.putParameter');
      const existed = world.parameters.has(name);
      world.parameters.set(name, value);
      if (!existed) world.created('parameter', name);
      return existed ? existing({ Version: 2 }) : created({ Version: 1 });
    },
    async getParameter(name) {
      await enter('ssm.getParameter');
      return name === AL2023_AMI_PARAMETER ? AMI : world.parameters.get(name);
    },
    async getParameters(names) {
      await enter('ssm.getParameters');
      const values: Record<string, string> = {};
      const missing: string[] = [];
      for (const n of names) {
        const v = world.parameters.get(n);
        if (v === undefined) missing.push(n);
        else values[n] = v;
      }
      return { values, missing };
    },
    async deleteParameter(name) {
      await enter('ssm.deleteParameter');
      return world.parameters.delete(name) ? 'deleted' : 'not-found';
    },
  };

  const dynamodb: DynamoDb = {
    async createTable({ name }) {
      await enter('dynamodb.createTable');
      const shape = () => ({ TableName: name, TableArn: world.tables.get(name)?.arn });
      if (world.tables.has(name)) return existing(shape());
      world.tables.set(name, {
        name,
        arn: arnOf('dynamodb', `table/${name}`),
        activeAt: now() + world.delays.tableActiveMs,
        items: 0,
      });
      world.created('table', name);
      return created(shape());
    },
    async describeTable(name) {
      const fault = await enter('dynamodb.describeTable', true);
      const t = world.tables.get(name);
      if (t === undefined) return undefined;
      const status =
        t.deleteAt !== undefined
          ? 'DELETING'
          : fault === 'retryable' || t.activeAt > now()
            ? 'CREATING'
            : 'ACTIVE';
      return {
        TableName: t.name,
        TableArn: t.arn,
        TableStatus: status,
        ItemCount: t.items,
      } satisfies TableDescription;
    },
    async deleteTable(name) {
      await enter('dynamodb.deleteTable');
      const t = world.tables.get(name);
      if (t === undefined) return 'not-found';
      if (t.activeAt > now()) return 'in-use';
      t.deleteAt ??= now() + world.delays.tableDeleteMs;
      world.settle();
      return 'deleted';
    },
    async putItems(name, items) {
      const fault = await enter('dynamodb.putItems', true);
      const t = world.tables.get(name);
      if (t === undefined) throw fatal(`dynamodb.putItems on missing table ${name}`);
      if (fault === 'retryable') return items.length;
      t.items = items.length;
      return 0;
    },
  };

  const instanceState = (i: FakeInstance): string => {
    if (i.terminatingSince !== undefined) return 'shutting-down';
    return i.launchedAt + world.delays.bootMs > now() ? 'pending' : 'running';
  };
  const ec2: Ec2 = {
    async availabilityZones() {
      await enter('ec2.availabilityZones');
      return [...ZONES];
    },
    async defaultVpcId() {
      await enter('ec2.defaultVpcId');
      return VPC;
    },
    async defaultSubnets(_vpc, zones) {
      await enter('ec2.defaultSubnets');
      return zones.map((zone) => ({ id: `subnet-${zone}`, zone, publicIp: !world.privateSubnets.has(zone) }));
    },
    async instanceTypeZones() {
      await enter('ec2.instanceTypeZones');
      return [...ZONES];
    },
    async createLaunchTemplate({ name, clientToken, data, tags }) {
      const fault = await enter('ec2.createLaunchTemplate', true);
      if (fault === 'retryable') return 'profile-not-ready';
      const found = world.templates.get(name);
      // The same ClientToken returns the original result (EC2 idempotency); another token finds the name taken.
      if (found !== undefined) {
        const shape = { LaunchTemplateId: found.id, LaunchTemplateName: name };
        return found.token === clientToken ? created(shape) : existing(shape);
      }
      const id = world.id('lt');
      world.templates.set(name, { name, id, token: clientToken, data, tags });
      world.created('launch-template', name);
      return created({ LaunchTemplateId: id, LaunchTemplateName: name });
    },
    async describeLaunchTemplate(name) {
      await enter('ec2.describeLaunchTemplate');
      const t = world.templates.get(name);
      return t === undefined ? undefined : { id: t.id, name: t.name };
    },
    async launchTemplatesByTag(key, value) {
      await enter('ec2.launchTemplatesByTag');
      return [...world.templates.values()]
        .filter((t) => world.tagOf(t.tags, key) === value)
        .map((t) => ({ id: t.id, name: t.name }));
    },
    async deleteLaunchTemplate(name) {
      await enter('ec2.deleteLaunchTemplate');
      return world.templates.delete(name) ? 'deleted' : 'not-found';
    },
    async instances(filters) {
      await enter('ec2.instances');
      return [...world.instances.values()]
        .filter((i) =>
          filters.every((f) => {
            const values = f.Values ?? [];
            if (f.Name === 'instance-state-name') return values.includes(instanceState(i));
            if (f.Name?.startsWith('tag:') === true)
              return values.includes(world.tagOf(i.tags, f.Name.slice(4)) ?? '');
            return true;
          }),
        )
        .map((i) => ({ id: i.id, state: instanceState(i), zone: i.zone }));
    },
    async terminateInstances(ids) {
      await enter('ec2.terminateInstances');
      const found = ids.map((id) => world.instances.get(id)).filter((i) => i !== undefined);
      if (found.length === 0) return 'not-found';
      for (const i of found) i.terminatingSince ??= now();
      return 'terminating';
    },
    async rebootInstances(ids) {
      await enter('ec2.rebootInstances');
      const found = ids.map((id) => world.instances.get(id)).filter((i) => i !== undefined);
      if (found.length === 0) return 'not-found';
      // After a reboot the server fetches the credentials of the role now associated with the instance.
      for (const i of found) i.effectiveProfile = i.profile;
      return 'rebooting';
    },
    async profileAssociation(instanceId) {
      await enter('ec2.profileAssociation');
      const i = world.instances.get(instanceId);
      const p = i === undefined ? undefined : world.profiles.get(i.profile);
      if (i === undefined || i.associationId === '') return undefined;
      const associating = (i.associatingReads ?? 0) > 0;
      if (associating) i.associatingReads = (i.associatingReads ?? 0) - 1;
      return {
        associationId: i.associationId,
        profileArn: p?.arn ?? `arn:aws:iam::${ACCOUNT}:instance-profile/${i.profile}`,
        state: associating ? ('associating' as const) : ('associated' as const),
      };
    },
    async replaceProfileAssociation(associationId, profileName) {
      const fault = await enter('ec2.replaceProfileAssociation', true);
      const i = [...world.instances.values()].find((x) => x.associationId === associationId);
      if (i === undefined) return 'not-found';
      if (fault === 'retryable' || !world.profileVisible(profileName)) return 'profile-not-ready';
      i.profile = profileName;
      i.associationId = world.id('iip-assoc');
      i.associatingReads = world.associatingReads;
      return 'replaced';
    },
    async defaultSecurityGroup(vpcId) {
      await enter('ec2.defaultSecurityGroup');
      const rules = [...world.ingress].map((r) => {
        const [, cidr = '', port = '80'] = r.split('|');
        return {
          IpProtocol: 'tcp',
          FromPort: Number(port),
          ToPort: Number(port),
          IpRanges: [{ CidrIp: cidr }],
        };
      });
      return {
        GroupId: 'sg-default',
        GroupName: 'default',
        VpcId: vpcId,
        IpPermissions: rules,
      } satisfies SecurityGroup;
    },
    async authorizeIngress({ groupId, cidr, port, tags }) {
      await enter('ec2.authorizeIngress');
      const key = `${groupId}|${cidr}|${port}`;
      if (world.ingress.has(key)) return existing({});
      world.ingress.add(key);
      const ruleId = world.id('sgr');
      world.ingressRules.set(key, { ruleId, tags });
      world.created('ingress-rule', key);
      return created({ SecurityGroupRuleId: ruleId, GroupId: groupId });
    },
    async revokeIngress({ groupId, cidr, port }) {
      await enter('ec2.revokeIngress');
      world.ingressRules.delete(`${groupId}|${cidr}|${port}`);
      return world.ingress.delete(`${groupId}|${cidr}|${port}`) ? 'revoked' : 'not-found';
    },
    async ingressRulesByTag(key, value) {
      await enter('ec2.ingressRulesByTag');
      return [...world.ingressRules.entries()]
        .filter(([, r]) => r.tags.some((t) => t.Key === key && t.Value === value))
        .map(([rule, r]) => {
          const [groupId = '', cidr = '', port = '80'] = rule.split('|');
          return { groupId, ruleId: r.ruleId, cidr, port: Number(port) };
        });
    },
    async revokeIngressRules(groupId, ruleIds) {
      await enter('ec2.revokeIngressRules');
      let revoked = false;
      for (const [key, r] of world.ingressRules) {
        if (!key.startsWith(`${groupId}|`) || !ruleIds.includes(r.ruleId)) continue;
        world.ingressRules.delete(key);
        world.ingress.delete(key);
        revoked = true;
      }
      return revoked ? 'revoked' : 'not-found';
    },
  };

  const groupShape = (name: string): AutoScalingGroup | undefined => {
    const g = world.groups.get(name);
    if (g === undefined) return undefined;
    const members = [...world.instances.values()].filter((i) => i.group === name);
    return {
      AutoScalingGroupName: g.name,
      MinSize: g.min,
      MaxSize: g.max,
      DesiredCapacity: g.desired,
      DefaultCooldown: 300,
      AvailabilityZones: g.zones,
      HealthCheckType: 'EC2',
      CreatedTime: new Date(0),
      TargetGroupARNs: g.targetGroups,
      Instances: members.map((i) => ({
        InstanceId: i.id,
        AvailabilityZone: i.zone,
        LifecycleState:
          i.terminatingSince !== undefined
            ? 'Terminating'
            : instanceState(i) === 'pending'
              ? 'Pending'
              : 'InService',
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
      })),
    };
  };
  const autoscaling: AutoScaling = {
    async createGroup({ name, launchTemplateName, zones, size, tags }) {
      const fault = await enter('autoscaling.createGroup', true);
      if (world.groups.has(name)) return existing({ AutoScalingGroupName: name });
      const profile = world.templates.get(launchTemplateName)?.data.IamInstanceProfile?.Name;
      if (fault === 'retryable' || profile === undefined || !world.profileVisible(profile))
        return 'profile-not-ready';
      world.groups.set(name, {
        name,
        template: launchTemplateName,
        zones,
        desired: size,
        min: size,
        max: size,
        targetGroups: [],
        activityUntil: now(),
        tags,
      });
      world.created('auto-scaling-group', name);
      world.settle();
      return created({ AutoScalingGroupName: name });
    },
    async describeGroup(name) {
      await enter('autoscaling.describeGroup');
      return groupShape(name);
    },
    async setSize(name, { min, max, desired }) {
      await enter('autoscaling.setSize');
      const g = world.groups.get(name);
      if (g === undefined) return 'not-found';
      Object.assign(g, { min, max, desired });
      world.settle();
      return 'updated';
    },
    async terminateInstance(instanceId, decrement) {
      await enter('autoscaling.terminateInstance');
      const i = world.instances.get(instanceId);
      const g = i?.group === undefined ? undefined : world.groups.get(i.group);
      if (i === undefined || g === undefined || i.terminatingSince !== undefined) return 'not-found';
      i.terminatingSince = now();
      if (decrement) g.desired -= 1;
      g.activityUntil = now() + world.delays.activityMs;
      world.settle();
      return 'terminating';
    },
    async attachTargetGroups(name, arns) {
      await enter('autoscaling.attachTargetGroups');
      const g = world.groups.get(name);
      if (g === undefined) return 'not-found';
      g.targetGroups = [...new Set([...g.targetGroups, ...arns])];
      return 'attached';
    },
    async detachAllTargetGroups(name) {
      await enter('autoscaling.detachTargetGroups');
      const g = world.groups.get(name);
      if (g === undefined) return 'not-found';
      g.targetGroups = [];
      return 'detached';
    },
    async deleteGroup(name) {
      const fault = await enter('autoscaling.deleteGroup', true);
      const g = world.groups.get(name);
      if (g === undefined) return 'not-found';
      if (fault === 'retryable' || g.activityUntil > now()) return 'activity-in-progress';
      if ([...world.instances.values()].some((i) => i.group === name)) return 'in-use';
      world.groups.delete(name);
      return 'deleted';
    },
  };

  const tgShape = (arn: string): TargetGroup | undefined => {
    const t = world.targetGroups.get(arn);
    if (t === undefined) return undefined;
    const lbs = [...world.listeners.values()].filter((l) => l.tgArn === arn).map((l) => l.lbArn);
    return {
      TargetGroupName: t.name,
      TargetGroupArn: t.arn,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: VPC,
      HealthCheckPath: '/healthcheck',
      LoadBalancerArns: lbs,
    };
  };
  const lbShape = (arn: string, provisioning: boolean): LoadBalancer | undefined => {
    const l = world.loadBalancers.get(arn);
    if (l === undefined) return undefined;
    return {
      LoadBalancerName: l.name,
      LoadBalancerArn: l.arn,
      DNSName: l.dnsName,
      Scheme: 'internet-facing',
      Type: 'application',
      VpcId: VPC,
      State: { Code: provisioning || l.activeAt > now() ? 'provisioning' : 'active' },
    };
  };
  const byName = <T extends { name: string; arn: string }>(map: Map<string, T>, name: string) =>
    [...map.values()].find((x) => x.name === name);
  const elbv2: Elbv2 = {
    async createTargetGroup({ name }) {
      await enter('elbv2.createTargetGroup');
      // CreateTargetGroup with the name and settings of an existing group returns that group (a success).
      const found = byName(world.targetGroups, name);
      if (found !== undefined) return created(tgShape(found.arn) as TargetGroup);
      const arn = arnOf('elasticloadbalancing', `targetgroup/${name}/${world.id('tg')}`);
      world.targetGroups.set(arn, { name, arn });
      world.created('target-group', name);
      return created(tgShape(arn) as TargetGroup);
    },
    async describeTargetGroup(name) {
      await enter('elbv2.describeTargetGroup');
      const t = byName(world.targetGroups, name);
      return t === undefined ? undefined : tgShape(t.arn);
    },
    async deleteTargetGroup(arn) {
      const fault = await enter('elbv2.deleteTargetGroup', true);
      if (!world.targetGroups.has(arn)) return 'not-found';
      // ResourceInUse while a listener (of a load balancer not yet gone) still forwards to it.
      if (fault === 'retryable' || [...world.listeners.values()].some((l) => l.tgArn === arn))
        return 'in-use';
      world.targetGroups.delete(arn);
      for (const g of world.groups.values()) {
        // AWS deletes it all the same; the group is left pointing at a target group that is gone.
        if (g.targetGroups.includes(arn)) world.deletedWhileAttached.push(`${arn} (group ${g.name})`);
        g.targetGroups = g.targetGroups.filter((t) => t !== arn);
      }
      return 'deleted';
    },
    async createLoadBalancer({ name }) {
      await enter('elbv2.createLoadBalancer');
      const found = byName(world.loadBalancers, name);
      if (found !== undefined) return created(lbShape(found.arn, false) as LoadBalancer);
      const arn = arnOf('elasticloadbalancing', `loadbalancer/app/${name}/${world.id('lb')}`);
      world.loadBalancers.set(arn, {
        name,
        arn,
        dnsName: `${name}.${REGION}.elb.fake`,
        activeAt: now() + world.delays.lbActiveMs,
        next: 0,
      });
      world.created('load-balancer', name);
      return created(lbShape(arn, false) as LoadBalancer);
    },
    async describeLoadBalancer(name) {
      const fault = await enter('elbv2.describeLoadBalancer', true);
      const l = byName(world.loadBalancers, name);
      return l === undefined ? undefined : lbShape(l.arn, fault === 'retryable');
    },
    async listLoadBalancers(limit) {
      await enter('elbv2.listLoadBalancers');
      return [...world.loadBalancers.keys()]
        .slice(0, limit)
        .map((arn) => lbShape(arn, false) as LoadBalancer);
    },
    async deleteLoadBalancer(arn) {
      await enter('elbv2.deleteLoadBalancer');
      const l = world.loadBalancers.get(arn);
      if (l === undefined) return 'not-found';
      l.deleteAt ??= now() + world.delays.lbDeleteMs;
      world.settle();
      return 'deleted';
    },
    async createListener({ loadBalancerArn, targetGroupArn, port }) {
      await enter('elbv2.createListener');
      if (!world.loadBalancers.has(loadBalancerArn))
        throw fatal('elbv2.createListener on a missing load balancer');
      const found = [...world.listeners.values()].find((l) => l.lbArn === loadBalancerArn && l.port === port);
      if (found !== undefined) return existing({ ListenerArn: found.arn, Port: port });
      const arn = `${loadBalancerArn.replace(':loadbalancer/', ':listener/')}/${world.id('l')}`;
      world.listeners.set(arn, { arn, lbArn: loadBalancerArn, tgArn: targetGroupArn, port });
      world.created('listener', String(port));
      return created({ ListenerArn: arn, Port: port });
    },
    async targetHealth(arn) {
      await enter('elbv2.targetHealth');
      if (!world.targetGroups.has(arn)) return undefined;
      return world.targetHealth(arn).map(
        (t): TargetHealthDescription => ({
          Target: { Id: t.id, Port: t.port },
          HealthCheckPort: '80',
          TargetHealth: {
            State: t.state as NonNullable<TargetHealthDescription['TargetHealth']>['State'],
            ...(t.reason === undefined ? {} : { Reason: t.reason as 'Target.ResponseCodeMismatch' }),
            ...(t.description === undefined ? {} : { Description: t.description }),
          },
        }),
      );
    },
  };

  return { sts, iam, ssm, dynamodb, ec2, autoscaling, elbv2 };
}

export { Faults };
