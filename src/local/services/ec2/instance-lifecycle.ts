/**
 * What happens to instances (EC2 User Guide, "Instance lifecycle"): launch from a launch template into a
 * zone, instance-profile associations, termination, reboot, and the impaired status of a crashed process.
 * State changes only; the callers commit.
 */
import type { Cloud } from '../../contracts.ts';
import { newId } from '../shared/ids.ts';
import type { TagRecord } from '../shared/tags.ts';
import {
  type AssociationRecord,
  type Ec2State,
  ec2State,
  findInstance,
  findLaunchTemplate,
  type InstanceRecord,
  type InstanceStateName,
  instanceState,
  LOCAL_IMAGE_ID,
  resolveVersion,
} from './model.ts';

function nextLoopbackIp(state: Ec2State): string {
  const n = state.nextIp;
  state.nextIp = n + 1;
  // 127.0.0.0/8 is all loopback on Linux: every instance gets its own address, never 127.0.0.1.
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export function defaultSubnetFor(cloud: Cloud, zone: string): { subnetId: string; zone: string } | undefined {
  return ec2State(cloud).subnets.find((s) => s.zone === zone);
}

export interface LaunchRequest {
  readonly launchTemplate: { id?: string; name?: string; version?: string };
  readonly zone: string;
  readonly subnetId?: string;
  /** Tags to put on the instance on top of the template's instance TagSpecifications. */
  readonly tags?: readonly TagRecord[];
}

export type ProfileResolver = (ref: {
  Name?: string;
  Arn?: string;
}) => { arn: string; id: string; name: string; roleName: string | undefined } | undefined;

/**
 * Launches one instance from a launch template (what Auto Scaling does; there is no RunInstances here).
 * The instance is `pending` until the configured boot time has elapsed (scaled), then `running`. The
 * template's instance profile becomes an association, as EC2 does at launch.
 */
export function launchInstance(
  cloud: Cloud,
  request: LaunchRequest,
  resolveProfile: ProfileResolver,
): InstanceRecord {
  const state = ec2State(cloud);
  const template = findLaunchTemplate(cloud, request.launchTemplate);
  if (template === undefined)
    throw new Error(`launch template ${JSON.stringify(request.launchTemplate)} not found`);
  const version = resolveVersion(template, request.launchTemplate.version);
  if (version === undefined)
    throw new Error(`launch template ${template.id} has no version ${request.launchTemplate.version}`);
  const data = version.data;
  const subnet =
    (request.subnetId !== undefined
      ? state.subnets.find((s) => s.subnetId === request.subnetId)
      : undefined) ?? defaultSubnetFor(cloud, request.zone);
  if (subnet === undefined) throw new Error(`no subnet in zone ${request.zone}`);
  const now = cloud.clock.now();
  const templateTags = (data.TagSpecifications ?? [])
    .filter((spec) => spec.ResourceType === 'instance')
    .flatMap((spec) => spec.Tags ?? []);
  const tags: TagRecord[] = [];
  for (const tag of [
    ...templateTags,
    { Key: 'aws:ec2launchtemplate:id', Value: template.id },
    { Key: 'aws:ec2launchtemplate:version', Value: String(version.versionNumber) },
    ...(request.tags ?? []),
  ]) {
    const found = tags.find((t) => t.Key === tag.Key);
    if (found) found.Value = tag.Value;
    else tags.push({ Key: tag.Key, Value: tag.Value });
  }
  const instance: InstanceRecord = {
    instanceId: newId('i'),
    reservationId: newId('r'),
    imageId: data.ImageId ?? LOCAL_IMAGE_ID,
    instanceType: data.InstanceType ?? 'm1.small',
    zone: subnet.zone,
    subnetId: subnet.subnetId,
    vpcId: state.vpc.vpcId,
    privateIpAddress: nextLoopbackIp(state),
    keyName: data.KeyName,
    securityGroupIds: data.SecurityGroupIds ?? [state.securityGroups[0]?.groupId ?? ''],
    launchTemplate: { id: template.id, name: template.name, version: String(version.versionNumber) },
    userData: data.UserData ?? '',
    httpTokens: data.MetadataOptions?.HttpTokens === 'required' ? 'required' : 'optional',
    launchedAt: now,
    runningAt: now + cloud.clock.scaled(state.settings.bootMs),
    terminatedAt: undefined,
    bootId: 1,
    rebootedUntil: undefined,
    workloadGeneration: 1,
    impaired: undefined,
    tags,
    amiLaunchIndex: 0,
  };
  state.instances.push(instance);
  if (data.IamInstanceProfile !== undefined) {
    const profile = resolveProfile(data.IamInstanceProfile);
    if (profile !== undefined) associateProfile(cloud, instance.instanceId, profile);
  }
  return instance;
}

export function associateProfile(
  cloud: Cloud,
  instanceId: string,
  profile: { arn: string; id: string; name: string; roleName: string | undefined },
): AssociationRecord {
  const association: AssociationRecord = {
    associationId: newId('iip-assoc'),
    instanceId,
    profileArn: profile.arn,
    profileId: profile.id,
    profileName: profile.name,
    roleName: profile.roleName,
    state: 'associated',
    timestamp: cloud.clock.now(),
  };
  ec2State(cloud).associations.push(association);
  return association;
}

/** The instance's live association (at most one per instance). */
export function currentAssociation(cloud: Cloud, instanceId: string): AssociationRecord | undefined {
  return ec2State(cloud).associations.find((a) => a.instanceId === instanceId && a.state === 'associated');
}

/**
 * Starts terminating an instance: shutting-down now, terminated after the shutdown time (scaled).
 * Returns the previous state name for the TerminateInstances answer. Idempotent, like AWS.
 */
export function terminateInstance(
  cloud: Cloud,
  instanceId: string,
): { previous: InstanceStateName } | undefined {
  const instance = findInstance(cloud, instanceId);
  if (instance === undefined) return undefined;
  const now = cloud.clock.now();
  const previous = instanceState(instance, now);
  if (instance.terminatedAt === undefined) {
    instance.terminatedAt = now + cloud.clock.scaled(ec2State(cloud).settings.shutdownMs);
    for (const a of ec2State(cloud).associations) {
      if (a.instanceId === instanceId && a.state === 'associated') a.state = 'disassociated';
    }
  }
  return { previous };
}

/** A reboot keeps the instance `running` (EC2 health never sees it) but restarts its process. */
export function rebootInstance(cloud: Cloud, instance: InstanceRecord): void {
  instance.bootId += 1;
  instance.impaired = undefined;
  instance.rebootedUntil = cloud.clock.now() + cloud.clock.scaled(ec2State(cloud).settings.rebootMs);
}

export function markImpaired(cloud: Cloud, instanceId: string, reason: string): boolean {
  const instance = findInstance(cloud, instanceId);
  if (instance === undefined || instance.impaired !== undefined) return false;
  instance.impaired = { since: cloud.clock.now(), reason };
  return true;
}

/**
 * Instance status as DescribeInstanceStatus reports it: the data plane's process-level view when it has
 * one, else the model's own (impaired when reported dead, initializing while booting, ok after).
 */
export function instanceStatus(cloud: Cloud, instance: InstanceRecord): 'ok' | 'impaired' | 'initializing' {
  if (instance.impaired !== undefined) return 'impaired';
  const observed = cloud.dataplane.instanceStatus(instance.instanceId);
  if (observed !== undefined) return observed;
  return instanceState(instance, cloud.clock.now()) === 'running' ? 'ok' : 'initializing';
}
