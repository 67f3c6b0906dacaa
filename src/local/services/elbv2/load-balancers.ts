/**
 * Application load balancers and their listeners. A new load balancer reserves a loopback port through
 * the data plane; its DNSName is `127.0.0.1:<port>`, so `http://${DNSName}/` works. It is `provisioning`
 * for the configured provisioning time (scaled), then `active`.
 */
import type {
  Action,
  CreateListenerCommandInput,
  CreateListenerCommandOutput,
  CreateLoadBalancerCommandInput,
  CreateLoadBalancerCommandOutput,
  DeleteListenerCommandInput,
  DeleteListenerCommandOutput,
  DeleteLoadBalancerCommandInput,
  DeleteLoadBalancerCommandOutput,
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  Listener,
  LoadBalancer,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { ec2State } from '../ec2/model.ts';
import { randomHex } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { elbErrors } from './errors.ts';
import {
  elbv2State,
  findTargetGroup,
  type ListenerRecord,
  type LoadBalancerRecord,
  loadBalancerState,
} from './model.ts';

const LB_NAME_RE = /^(?!-)(?!internal-)[a-zA-Z0-9-]{1,32}(?<!-)$/;

export function toLoadBalancer(cloud: Cloud, lb: LoadBalancerRecord): LoadBalancer {
  return {
    LoadBalancerArn: lb.arn,
    LoadBalancerName: lb.name,
    DNSName: `127.0.0.1:${lb.port}`,
    CanonicalHostedZoneId: 'Z1H1FL5HABSF5',
    CreatedTime: new Date(lb.createdAt),
    Scheme: lb.scheme as LoadBalancer['Scheme'],
    VpcId: lb.vpcId,
    State: { Code: loadBalancerState(lb, cloud.clock.now()) },
    Type: lb.type as LoadBalancer['Type'],
    AvailabilityZones: lb.subnets.map((s) => ({
      ZoneName: s.zone,
      SubnetId: s.subnetId,
      LoadBalancerAddresses: [],
    })),
    SecurityGroups: lb.securityGroups,
    IpAddressType: lb.ipAddressType as LoadBalancer['IpAddressType'],
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((v, i) => v === [...b].sort()[i]);

export async function createLoadBalancer(
  input: CreateLoadBalancerCommandInput,
  { cloud }: CallContext,
): Promise<Out<CreateLoadBalancerCommandOutput>> {
  const name = input.Name;
  if (name === undefined) throw elbErrors.validation("Load balancer name can't be empty");
  if (!LB_NAME_RE.test(name)) {
    throw elbErrors.validation(
      `The load balancer name '${name}' must not exceed 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  const type = input.Type ?? 'application';
  if (type !== 'application')
    throw elbErrors.invalidConfiguration(`Load balancer type '${type}' is not supported here`);
  const ec2 = ec2State(cloud);
  const subnetIds = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId ?? '');
  const subnets = subnetIds.map((id) => {
    const found = ec2.subnets.find((s) => s.subnetId === id);
    if (!found) throw elbErrors.subnetNotFound(id);
    return { subnetId: found.subnetId, zone: found.zone };
  });
  if (new Set(subnets.map((s) => s.zone)).size < 2) {
    throw elbErrors.validation('At least two subnets in two different Availability Zones must be specified');
  }
  const securityGroups = input.SecurityGroups ?? [ec2.securityGroups[0]?.groupId ?? ''];
  for (const id of securityGroups) {
    if (!ec2.securityGroups.some((g) => g.groupId === id)) throw elbErrors.invalidSecurityGroup(id);
  }
  const scheme = input.Scheme ?? 'internet-facing';
  const ipAddressType = input.IpAddressType ?? 'ipv4';
  // Same name and same settings returns the existing load balancer (CreateLoadBalancer is idempotent).
  const matchOrThrow = (): LoadBalancerRecord | undefined => {
    const existing = elbv2State(cloud).loadBalancers.find((lb) => lb.name === name);
    if (existing === undefined) return undefined;
    const same =
      existing.scheme === scheme &&
      existing.type === type &&
      sameSet(
        existing.subnets.map((s) => s.subnetId),
        subnets.map((s) => s.subnetId),
      ) &&
      sameSet(existing.securityGroups, securityGroups);
    if (!same) throw elbErrors.duplicateLoadBalancerName(name);
    return existing;
  };
  const prior = matchOrThrow();
  if (prior) return { LoadBalancers: [toLoadBalancer(cloud, prior)] };
  const arn = `arn:aws:elasticloadbalancing:${cloud.config.region}:${cloud.config.accountId}:loadbalancer/app/${name}/${randomHex(16)}`;
  const port = await cloud.dataplane.reserveLoadBalancerPort(arn);
  // Another request for the same name may have finished while the port was being reserved.
  const raced = (() => {
    try {
      return matchOrThrow();
    } catch (error: unknown) {
      void cloud.dataplane.releaseLoadBalancer(arn);
      throw error;
    }
  })();
  if (raced) {
    await cloud.dataplane.releaseLoadBalancer(arn);
    return { LoadBalancers: [toLoadBalancer(cloud, raced)] };
  }
  const now = cloud.clock.now();
  const lb: LoadBalancerRecord = {
    arn,
    name,
    port,
    scheme,
    type,
    ipAddressType,
    subnets,
    securityGroups,
    vpcId: ec2.vpc.vpcId,
    createdAt: now,
    activeAt: now + cloud.clock.scaled(elbv2State(cloud).settings.provisioningMs),
    tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
  };
  elbv2State(cloud).loadBalancers.push(lb);
  cloud.commit();
  return { LoadBalancers: [toLoadBalancer(cloud, lb)] };
}

export function describeLoadBalancers(
  input: DescribeLoadBalancersCommandInput,
  { cloud }: CallContext,
): Out<DescribeLoadBalancersCommandOutput> {
  const all = elbv2State(cloud).loadBalancers;
  const arns = input.LoadBalancerArns ?? [];
  const names = input.Names ?? [];
  if (arns.length > 0 && names.length > 0) {
    throw elbErrors.validation(
      'Load balancer names and load balancer ARNs cannot be specified at the same time',
    );
  }
  for (const arn of arns) if (!all.some((lb) => lb.arn === arn)) throw elbErrors.loadBalancerNotFound();
  for (const name of names) {
    if (!all.some((lb) => lb.name === name)) throw elbErrors.loadBalancerNameNotFound(name);
  }
  const selected = all.filter(
    (lb) => (arns.length === 0 || arns.includes(lb.arn)) && (names.length === 0 || names.includes(lb.name)),
  );
  const offset = decodeToken('DescribeLoadBalancers', input.Marker);
  if (offset === undefined) throw elbErrors.validation('Invalid marker');
  const { items, next } = page(selected, offset, input.PageSize ?? 400);
  return {
    LoadBalancers: items.map((lb) => toLoadBalancer(cloud, lb)),
    ...(next === undefined ? {} : { NextMarker: encodeToken('DescribeLoadBalancers', next) }),
  };
}

export async function deleteLoadBalancer(
  input: DeleteLoadBalancerCommandInput,
  { cloud }: CallContext,
): Promise<Out<DeleteLoadBalancerCommandOutput>> {
  const arn = input.LoadBalancerArn;
  if (arn === undefined) throw elbErrors.validation("Load balancer ARN can't be empty");
  const state = elbv2State(cloud);
  const lb = state.loadBalancers.find((l) => l.arn === arn);
  // Deleting a load balancer that is already gone succeeds, as on AWS.
  if (lb === undefined) return {};
  state.loadBalancers = state.loadBalancers.filter((l) => l !== lb);
  state.listeners = state.listeners.filter((l) => l.loadBalancerArn !== arn);
  cloud.commit();
  await cloud.dataplane.releaseLoadBalancer(arn);
  return {};
}

function toListener(l: ListenerRecord): Listener {
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol as Listener['Protocol'],
    DefaultActions: [
      {
        Type: 'forward',
        TargetGroupArn: l.targetGroupArn,
        Order: 1,
        ForwardConfig: {
          TargetGroups: [{ TargetGroupArn: l.targetGroupArn, Weight: 1 }],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ],
  };
}

/** The single forward target of a listener's default actions (what this architecture uses). */
function forwardTarget(actions: readonly Action[] | undefined): string {
  if (!actions?.length) throw elbErrors.validation('A listener must have at least one default action');
  const action = actions[0];
  if (actions.length > 1 || action?.Type !== 'forward') {
    throw elbErrors.invalidConfiguration(
      'Only a single forward default action is supported by the local cloud',
    );
  }
  const arn = action.TargetGroupArn ?? action.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
  if (arn === undefined) throw elbErrors.validation('A forward action must specify a target group');
  return arn;
}

export function createListener(
  input: CreateListenerCommandInput,
  { cloud }: CallContext,
): Out<CreateListenerCommandOutput> {
  const state = elbv2State(cloud);
  const lb = state.loadBalancers.find((l) => l.arn === input.LoadBalancerArn);
  if (lb === undefined) throw elbErrors.loadBalancerNotFound();
  const protocol = input.Protocol ?? 'HTTP';
  if (protocol !== 'HTTP') throw elbErrors.unsupportedProtocol(protocol);
  const port = input.Port ?? 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw elbErrors.constraint(port, 'port', 'Member must have value less than or equal to 65535');
  }
  const targetGroupArn = forwardTarget(input.DefaultActions);
  const tg = findTargetGroup(cloud, targetGroupArn);
  if (tg === undefined) throw elbErrors.targetGroupNotFound();
  // ALB: a target group may be used by one load balancer only.
  const otherLb = state.listeners.find(
    (l) => l.targetGroupArn === targetGroupArn && l.loadBalancerArn !== lb.arn,
  );
  if (otherLb !== undefined) throw elbErrors.targetGroupAssociationLimit(targetGroupArn);
  const existing = state.listeners.find((l) => l.loadBalancerArn === lb.arn && l.port === port);
  if (existing !== undefined) {
    if (existing.protocol === protocol && existing.targetGroupArn === targetGroupArn) {
      return { Listeners: [toListener(existing)] };
    }
    throw elbErrors.duplicateListener(lb.name);
  }
  const lbId = lb.arn.slice(lb.arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  const listener: ListenerRecord = {
    arn: `arn:aws:elasticloadbalancing:${cloud.config.region}:${cloud.config.accountId}:listener/${lbId}/${randomHex(16)}`,
    loadBalancerArn: lb.arn,
    port,
    protocol,
    targetGroupArn,
    createdAt: cloud.clock.now(),
    tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
  };
  state.listeners.push(listener);
  cloud.commit();
  return { Listeners: [toListener(listener)] };
}

export function describeListeners(
  input: DescribeListenersCommandInput,
  { cloud }: CallContext,
): Out<DescribeListenersCommandOutput> {
  const state = elbv2State(cloud);
  const arns = input.ListenerArns ?? [];
  if (input.LoadBalancerArn === undefined && arns.length === 0) {
    throw elbErrors.validation('You must specify either listener ARNs or a load balancer ARN');
  }
  if (
    input.LoadBalancerArn !== undefined &&
    !state.loadBalancers.some((l) => l.arn === input.LoadBalancerArn)
  ) {
    throw elbErrors.loadBalancerNotFound();
  }
  for (const arn of arns) if (!state.listeners.some((l) => l.arn === arn)) throw elbErrors.listenerNotFound();
  const selected = state.listeners.filter(
    (l) =>
      (input.LoadBalancerArn === undefined || l.loadBalancerArn === input.LoadBalancerArn) &&
      (arns.length === 0 || arns.includes(l.arn)),
  );
  const offset = decodeToken('DescribeListeners', input.Marker);
  if (offset === undefined) throw elbErrors.validation('Invalid marker');
  const { items, next } = page(selected, offset, input.PageSize ?? 400);
  return {
    Listeners: items.map(toListener),
    ...(next === undefined ? {} : { NextMarker: encodeToken('DescribeListeners', next) }),
  };
}

export function deleteListener(
  input: DeleteListenerCommandInput,
  { cloud }: CallContext,
): Out<DeleteListenerCommandOutput> {
  const state = elbv2State(cloud);
  if (!state.listeners.some((l) => l.arn === input.ListenerArn)) throw elbErrors.listenerNotFound();
  state.listeners = state.listeners.filter((l) => l.arn !== input.ListenerArn);
  cloud.commit();
  return {};
}
