/**
 * Target groups, their attributes, targets and target health. Health-check settings take ALB's defaults
 * and ranges (docs/local-cloud.md#health-check-settings); DescribeTargetHealth reports the data plane's observations or the
 * model's fallback timeline (`targetHealth` in model.ts).
 */
import type {
  CreateTargetGroupCommandInput,
  CreateTargetGroupCommandOutput,
  DeleteTargetGroupCommandInput,
  DeleteTargetGroupCommandOutput,
  DeregisterTargetsCommandInput,
  DeregisterTargetsCommandOutput,
  DescribeTargetGroupAttributesCommandInput,
  DescribeTargetGroupAttributesCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  ModifyTargetGroupAttributesCommandInput,
  ModifyTargetGroupAttributesCommandOutput,
  ModifyTargetGroupCommandInput,
  ModifyTargetGroupCommandOutput,
  RegisterTargetsCommandInput,
  RegisterTargetsCommandOutput,
  TargetGroup,
  TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { findInstance, instanceState } from '../ec2/model.ts';
import { randomHex } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { elbErrors } from './errors.ts';
import {
  DEFAULT_TG_ATTRIBUTES,
  deregisterTargets,
  elbv2State,
  findTargetGroup,
  type HealthCheckRecord,
  listenersFor,
  pruneDrained,
  registerTargets,
  type TargetGroupRecord,
  targetHealth,
} from './model.ts';

const TG_NAME_RE = /^(?!-)[a-zA-Z0-9-]{1,32}(?<!-)$/;

export function toTargetGroup(cloud: Cloud, tg: TargetGroupRecord): TargetGroup {
  const lbs = [...new Set(listenersFor(cloud, tg.arn).map((l) => l.loadBalancerArn))];
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol as TargetGroup['Protocol'],
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: tg.healthCheck.protocol as TargetGroup['HealthCheckProtocol'],
    HealthCheckPort: tg.healthCheck.port,
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: tg.healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: tg.healthCheck.timeoutSeconds,
    HealthyThresholdCount: tg.healthCheck.healthyThresholdCount,
    UnhealthyThresholdCount: tg.healthCheck.unhealthyThresholdCount,
    HealthCheckPath: tg.healthCheck.path,
    Matcher: { HttpCode: tg.healthCheck.matcher },
    LoadBalancerArns: lbs,
    TargetType: tg.targetType as TargetGroup['TargetType'],
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType as TargetGroup['IpAddressType'],
  };
}

interface HealthInput {
  HealthCheckProtocol?: string | undefined;
  HealthCheckPort?: string | undefined;
  HealthCheckPath?: string | undefined;
  HealthCheckIntervalSeconds?: number | undefined;
  HealthCheckTimeoutSeconds?: number | undefined;
  HealthyThresholdCount?: number | undefined;
  UnhealthyThresholdCount?: number | undefined;
  Matcher?: { HttpCode?: string | undefined } | undefined;
}

function range(value: number, field: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw elbErrors.constraint(value, field, `Member must have value greater than or equal to ${min}`);
  }
  if (value > max)
    throw elbErrors.constraint(value, field, `Member must have value less than or equal to ${max}`);
}

/** ALB health-check settings: defaults filled from `base`, ranges and interval > timeout enforced. */
function healthCheck(input: HealthInput, base: HealthCheckRecord): HealthCheckRecord {
  const hc: HealthCheckRecord = {
    protocol: input.HealthCheckProtocol ?? base.protocol,
    port: input.HealthCheckPort ?? base.port,
    path: input.HealthCheckPath ?? base.path,
    intervalSeconds: input.HealthCheckIntervalSeconds ?? base.intervalSeconds,
    timeoutSeconds: input.HealthCheckTimeoutSeconds ?? base.timeoutSeconds,
    healthyThresholdCount: input.HealthyThresholdCount ?? base.healthyThresholdCount,
    unhealthyThresholdCount: input.UnhealthyThresholdCount ?? base.unhealthyThresholdCount,
    matcher: input.Matcher?.HttpCode ?? base.matcher,
  };
  if (hc.protocol !== 'HTTP' && hc.protocol !== 'HTTPS') throw elbErrors.unsupportedProtocol(hc.protocol);
  if (hc.port !== 'traffic-port') {
    const port = Number(hc.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw elbErrors.validation(
        `Health check port '${hc.port}' must be 'traffic-port' or a port number 1-65535`,
      );
    }
  }
  if (!hc.path.startsWith('/') || hc.path.length > 1024) {
    throw elbErrors.validation(
      "Health check path must begin with a '/' character and be at most 1024 characters",
    );
  }
  range(hc.intervalSeconds, 'healthCheckIntervalSeconds', 5, 300);
  range(hc.timeoutSeconds, 'healthCheckTimeoutSeconds', 2, 120);
  range(hc.healthyThresholdCount, 'healthyThresholdCount', 2, 10);
  range(hc.unhealthyThresholdCount, 'unhealthyThresholdCount', 2, 10);
  if (hc.intervalSeconds <= hc.timeoutSeconds) {
    throw elbErrors.validation('Health check interval must be greater than the timeout.');
  }
  const codes = hc.matcher.split(',').flatMap((part) => part.split('-'));
  if (codes.some((c) => !/^\d{3}$/.test(c) || Number(c) < 200 || Number(c) > 499)) {
    throw elbErrors.validation(`Health check matcher HTTP code '${hc.matcher}' must be within '200-499'`);
  }
  return hc;
}

const ALB_HEALTH_DEFAULTS: HealthCheckRecord = {
  protocol: 'HTTP',
  port: 'traffic-port',
  path: '/',
  intervalSeconds: 30,
  timeoutSeconds: 5,
  healthyThresholdCount: 5,
  unhealthyThresholdCount: 2,
  matcher: '200',
};

export function createTargetGroup(
  input: CreateTargetGroupCommandInput,
  { cloud }: CallContext,
): Out<CreateTargetGroupCommandOutput> {
  const name = input.Name;
  if (name === undefined || !TG_NAME_RE.test(name)) {
    throw elbErrors.validation(
      `Target group name '${name ?? ''}' can have a maximum of 32 characters, contain only alphanumeric characters or hyphens, and must not begin or end with a hyphen`,
    );
  }
  const targetType = input.TargetType ?? 'instance';
  if (targetType !== 'instance')
    throw elbErrors.validation(`Target type '${targetType}' is not supported by the local cloud`);
  const protocol = input.Protocol ?? 'HTTP';
  if (protocol !== 'HTTP') throw elbErrors.unsupportedProtocol(protocol);
  if (input.Port === undefined) throw elbErrors.validation('A port must be specified');
  range(input.Port, 'port', 1, 65535);
  if (input.VpcId === undefined) throw elbErrors.validation('A VPC ID must be specified');
  const hc = healthCheck(input, ALB_HEALTH_DEFAULTS);
  const state = elbv2State(cloud);
  const existing = state.targetGroups.find((tg) => tg.name === name);
  if (existing !== undefined) {
    // Same name with identical settings returns the existing group (CreateTargetGroup is idempotent).
    const same =
      existing.port === input.Port &&
      existing.protocol === protocol &&
      existing.vpcId === input.VpcId &&
      JSON.stringify(existing.healthCheck) === JSON.stringify(hc);
    if (!same) throw elbErrors.duplicateTargetGroupName(name);
    return { TargetGroups: [toTargetGroup(cloud, existing)] };
  }
  const tg: TargetGroupRecord = {
    arn: `arn:aws:elasticloadbalancing:${cloud.config.region}:${cloud.config.accountId}:targetgroup/${name}/${randomHex(16)}`,
    name,
    protocol,
    port: input.Port,
    vpcId: input.VpcId,
    targetType,
    protocolVersion: input.ProtocolVersion ?? 'HTTP1',
    ipAddressType: input.IpAddressType ?? 'ipv4',
    healthCheck: hc,
    attributes: { ...DEFAULT_TG_ATTRIBUTES },
    targets: [],
    tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    createdAt: cloud.clock.now(),
  };
  state.targetGroups.push(tg);
  cloud.commit();
  return { TargetGroups: [toTargetGroup(cloud, tg)] };
}

function groupOrThrow(cloud: Cloud, arn: string | undefined): TargetGroupRecord {
  const tg = arn === undefined ? undefined : findTargetGroup(cloud, arn);
  if (tg === undefined) throw elbErrors.targetGroupNotFound();
  return tg;
}

export function describeTargetGroups(
  input: DescribeTargetGroupsCommandInput,
  { cloud }: CallContext,
): Out<DescribeTargetGroupsCommandOutput> {
  const state = elbv2State(cloud);
  const arns = input.TargetGroupArns ?? [];
  const names = input.Names ?? [];
  for (const arn of arns) groupOrThrow(cloud, arn);
  for (const name of names)
    if (!state.targetGroups.some((tg) => tg.name === name)) throw elbErrors.targetGroupNotFound();
  if (
    input.LoadBalancerArn !== undefined &&
    !state.loadBalancers.some((lb) => lb.arn === input.LoadBalancerArn)
  ) {
    throw elbErrors.loadBalancerNotFound();
  }
  const selected = state.targetGroups.filter(
    (tg) =>
      (arns.length === 0 || arns.includes(tg.arn)) &&
      (names.length === 0 || names.includes(tg.name)) &&
      (input.LoadBalancerArn === undefined ||
        listenersFor(cloud, tg.arn).some((l) => l.loadBalancerArn === input.LoadBalancerArn)),
  );
  const offset = decodeToken('DescribeTargetGroups', input.Marker);
  if (offset === undefined) throw elbErrors.validation('Invalid marker');
  const { items, next } = page(selected, offset, input.PageSize ?? 400);
  return {
    TargetGroups: items.map((tg) => toTargetGroup(cloud, tg)),
    ...(next === undefined ? {} : { NextMarker: encodeToken('DescribeTargetGroups', next) }),
  };
}

export function modifyTargetGroup(
  input: ModifyTargetGroupCommandInput,
  { cloud }: CallContext,
): Out<ModifyTargetGroupCommandOutput> {
  const tg = groupOrThrow(cloud, input.TargetGroupArn);
  tg.healthCheck = healthCheck(input, tg.healthCheck);
  cloud.commit();
  return { TargetGroups: [toTargetGroup(cloud, tg)] };
}

function validateAttribute(key: string, value: string): void {
  if (!(key in DEFAULT_TG_ATTRIBUTES))
    throw elbErrors.validation(`Target group attribute key '${key}' is not recognized`);
  const integerIn = (min: number, max: number) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      throw elbErrors.validation(
        `Target group attribute '${key}' value '${value}' must be an integer between ${min} and ${max}`,
      );
    }
  };
  if (key === 'deregistration_delay.timeout_seconds') integerIn(0, 3600);
  if (key === 'slow_start.duration_seconds' && value !== '0') integerIn(30, 900);
  if (key === 'stickiness.enabled' && value !== 'true' && value !== 'false') {
    throw elbErrors.validation(`Target group attribute '${key}' value '${value}' must be 'true' or 'false'`);
  }
}

const attributesOut = (tg: TargetGroupRecord) =>
  Object.entries(tg.attributes).map(([Key, Value]) => ({ Key, Value }));

export function modifyTargetGroupAttributes(
  input: ModifyTargetGroupAttributesCommandInput,
  { cloud }: CallContext,
): Out<ModifyTargetGroupAttributesCommandOutput> {
  const tg = groupOrThrow(cloud, input.TargetGroupArn);
  const changes = (input.Attributes ?? []).map((a) => ({ key: a.Key ?? '', value: a.Value ?? '' }));
  for (const { key, value } of changes) validateAttribute(key, value);
  for (const { key, value } of changes) tg.attributes[key] = value;
  cloud.commit();
  return { Attributes: attributesOut(tg) };
}

export function describeTargetGroupAttributes(
  input: DescribeTargetGroupAttributesCommandInput,
  { cloud }: CallContext,
): Out<DescribeTargetGroupAttributesCommandOutput> {
  return { Attributes: attributesOut(groupOrThrow(cloud, input.TargetGroupArn)) };
}

export function deleteTargetGroup(
  input: DeleteTargetGroupCommandInput,
  { cloud }: CallContext,
): Out<DeleteTargetGroupCommandOutput> {
  const arn = input.TargetGroupArn;
  if (arn === undefined) throw elbErrors.validation("Target group ARN can't be empty");
  const state = elbv2State(cloud);
  const tg = findTargetGroup(cloud, arn);
  // Deleting a group that is already gone succeeds; one a listener forwards to is refused.
  if (tg === undefined) return {};
  if (listenersFor(cloud, arn).length > 0) throw elbErrors.targetGroupInUse(arn);
  state.targetGroups = state.targetGroups.filter((t) => t !== tg);
  cloud.commit();
  return {};
}

/** Instance targets must exist and be running to be registered (ELBv2 API Reference, RegisterTargets). */
function checkInstanceTargets(cloud: Cloud, ids: readonly string[]): void {
  const now = cloud.clock.now();
  const unknown = ids.filter((id) => findInstance(cloud, id) === undefined);
  if (unknown.length > 0) throw elbErrors.invalidTargetUnknown(unknown);
  const notRunning = ids.filter((id) => {
    const instance = findInstance(cloud, id);
    return instance === undefined || instanceState(instance, now) !== 'running';
  });
  if (notRunning.length > 0) throw elbErrors.invalidTargetNotRunning(notRunning);
}

function targetsOf(input: {
  Targets?: { Id?: string | undefined; Port?: number | undefined }[] | undefined;
}) {
  const targets = input.Targets ?? [];
  if (targets.length === 0) throw elbErrors.validation('At least one target must be specified');
  return targets.map((t) => ({ id: t.Id ?? '', ...(t.Port === undefined ? {} : { port: t.Port }) }));
}

export function registerTargetsOp(
  input: RegisterTargetsCommandInput,
  { cloud }: CallContext,
): Out<RegisterTargetsCommandOutput> {
  const tg = groupOrThrow(cloud, input.TargetGroupArn);
  const targets = targetsOf(input);
  checkInstanceTargets(
    cloud,
    targets.map((t) => t.id),
  );
  registerTargets(cloud, tg, targets);
  cloud.commit();
  return {};
}

export function deregisterTargetsOp(
  input: DeregisterTargetsCommandInput,
  { cloud }: CallContext,
): Out<DeregisterTargetsCommandOutput> {
  const tg = groupOrThrow(cloud, input.TargetGroupArn);
  deregisterTargets(cloud, tg, targetsOf(input));
  cloud.commit();
  return {};
}

export function describeTargetHealth(
  input: DescribeTargetHealthCommandInput,
  { cloud }: CallContext,
): Out<DescribeTargetHealthCommandOutput> {
  if (pruneDrained(cloud)) cloud.commit();
  const tg = groupOrThrow(cloud, input.TargetGroupArn);
  const portOf = (targetPort: number) =>
    tg.healthCheck.port === 'traffic-port' ? String(targetPort) : tg.healthCheck.port;
  const describe = (id: string, port: number): TargetHealthDescription => {
    const registered = tg.targets.find((t) => t.id === id && t.port === port);
    if (registered === undefined) {
      return {
        Target: { Id: id, Port: port },
        HealthCheckPort: portOf(port),
        TargetHealth: {
          State: 'unused',
          Reason: 'Target.NotRegistered',
          Description: 'Target is not registered to the target group',
        },
      };
    }
    const health = targetHealth(cloud, tg, registered);
    return {
      Target: { Id: id, Port: port },
      HealthCheckPort: portOf(port),
      // Healthy targets carry no Reason or Description (docs/local-cloud.md#target-health).
      TargetHealth: {
        State: health.state,
        ...(health.reason === undefined ? {} : { Reason: health.reason as 'Elb.InitialHealthChecking' }),
        ...(health.description === undefined ? {} : { Description: health.description }),
      },
    };
  };
  if (input.Targets?.length) {
    const unknown = input.Targets.map((t) => t.Id ?? '').filter(
      (id) => findInstance(cloud, id) === undefined,
    );
    if (unknown.length > 0) throw elbErrors.invalidTargetUnknown(unknown);
    return { TargetHealthDescriptions: input.Targets.map((t) => describe(t.Id ?? '', t.Port ?? tg.port)) };
  }
  return { TargetHealthDescriptions: tg.targets.map((t) => describe(t.id, t.port)) };
}
