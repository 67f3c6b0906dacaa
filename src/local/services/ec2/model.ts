/**
 * The EC2 slice of the local cloud's state: network (one default VPC, a default subnet per zone, the
 * default security group), launch templates, instances, instance-profile associations and key pairs.
 * Plain JSON only (it is snapshotted); lifecycle states are derived from timestamps so a restored
 * snapshot needs no timers: pending until `runningAt`, shutting-down until `terminatedAt`.
 */
import type { Cloud, InstanceSpec } from '../../contracts.ts';
import { newId } from '../shared/ids.ts';
import type { TagRecord } from '../shared/tags.ts';

/** The one image the local cloud can run: the public AMI parameters resolve to it (SSM). */
export const LOCAL_IMAGE_ID = 'ami-0a1b2c3d4e5f60718';
export const LOCAL_IMAGE_NAME = 'al2023-ami-resilient-local-x86_64';
/** Instance types offered in every zone (DescribeInstanceTypeOfferings). */
export const OFFERED_INSTANCE_TYPES = ['t3.micro', 't3.small', 't3.medium', 't2.micro', 't3a.micro'] as const;

export interface Ec2Settings {
  /** pending → running (configured, unscaled ms; AWS boots in tens of seconds). */
  bootMs: number;
  /** shutting-down → terminated. */
  shutdownMs: number;
  /** How long a terminated instance stays visible in DescribeInstances ("a short while" on AWS). */
  terminatedRetentionMs: number;
  /** A reboot takes the instance's agent offline for this long. */
  rebootMs: number;
}

export interface IpPermissionRecord {
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIp: string;
  Description?: string;
  ruleId: string;
}

export interface SecurityGroupRecord {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ingress: IpPermissionRecord[];
  tags: TagRecord[];
}

export interface LaunchTemplateVersionRecord {
  versionNumber: number;
  createdAt: number;
  /** LaunchTemplateData as given (plain JSON), UserData still base64. */
  data: LaunchTemplateDataRecord;
}

export interface LaunchTemplateDataRecord {
  ImageId?: string;
  InstanceType?: string;
  UserData?: string;
  KeyName?: string;
  SecurityGroupIds?: string[];
  IamInstanceProfile?: { Name?: string; Arn?: string };
  MetadataOptions?: { HttpTokens?: string; HttpEndpoint?: string; HttpPutResponseHopLimit?: number };
  TagSpecifications?: { ResourceType?: string; Tags?: TagRecord[] }[];
}

export interface LaunchTemplateRecord {
  id: string;
  name: string;
  createdAt: number;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  versions: LaunchTemplateVersionRecord[];
  tags: TagRecord[];
  clientToken: string | undefined;
}

export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  imageId: string;
  instanceType: string;
  zone: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  keyName: string | undefined;
  securityGroupIds: string[];
  launchTemplate: { id: string; name: string; version: string } | undefined;
  userData: string;
  httpTokens: 'required' | 'optional';
  launchedAt: number;
  runningAt: number;
  /** Set by TerminateInstances: shutting-down until then, terminated after. */
  terminatedAt: number | undefined;
  bootId: number;
  /** Agent back online after the last reboot. */
  rebootedUntil: number | undefined;
  workloadGeneration: number;
  /** Set when the data plane reported the process dead; DescribeInstanceStatus says impaired. */
  impaired: { since: number; reason: string } | undefined;
  tags: TagRecord[];
  amiLaunchIndex: number;
}

export interface AssociationRecord {
  associationId: string;
  instanceId: string;
  profileArn: string;
  profileId: string;
  profileName: string;
  /** Role in the profile when associated; the live IAM lookup wins when the profile still exists. */
  roleName: string | undefined;
  state: 'associating' | 'associated' | 'disassociating' | 'disassociated';
  timestamp: number;
}

export interface KeyPairRecord {
  keyPairId: string;
  keyName: string;
  fingerprint: string;
  keyType: string;
  createdAt: number;
  tags: TagRecord[];
}

export interface Ec2State {
  settings: Ec2Settings;
  vpc: { vpcId: string; cidr: string; dhcpOptionsId: string };
  subnets: { subnetId: string; zone: string; cidr: string }[];
  securityGroups: SecurityGroupRecord[];
  launchTemplates: LaunchTemplateRecord[];
  instances: InstanceRecord[];
  associations: AssociationRecord[];
  keyPairs: KeyPairRecord[];
  /** Next loopback address suffix for PrivateIpAddress. */
  nextIp: number;
}

export const DEFAULT_EC2_SETTINGS: Ec2Settings = {
  bootMs: 10_000,
  shutdownMs: 5_000,
  terminatedRetentionMs: 3_600_000,
  rebootMs: 5_000,
};

function initialState(cloud: Cloud): Ec2State {
  const vpcId = newId('vpc');
  const subnets = cloud.config.zones.map((zone, i) => ({
    subnetId: newId('subnet'),
    zone,
    cidr: `172.31.${i * 16}.0/20`,
  }));
  return {
    settings: { ...DEFAULT_EC2_SETTINGS },
    vpc: { vpcId, cidr: '172.31.0.0/16', dhcpOptionsId: newId('dopt') },
    subnets,
    securityGroups: [
      {
        groupId: newId('sg'),
        groupName: 'default',
        description: 'default VPC security group',
        vpcId,
        ingress: [],
        tags: [],
      },
    ],
    launchTemplates: [],
    instances: [],
    associations: [],
    keyPairs: [],
    nextIp: 16,
  };
}

/** The EC2 slice, created on first use (a default VPC exists from the start, as in a new account). */
export function ec2State(cloud: Cloud): Ec2State {
  const existing = cloud.state['ec2'];
  if (existing !== undefined) return existing as Ec2State;
  const fresh = initialState(cloud);
  cloud.state['ec2'] = fresh;
  return fresh;
}

export type InstanceStateName = InstanceSpec['state'];

/** EC2 state codes (the low byte of `InstanceState.Code`). */
export const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function instanceState(instance: InstanceRecord, now: number): InstanceStateName {
  if (instance.terminatedAt !== undefined)
    return now >= instance.terminatedAt ? 'terminated' : 'shutting-down';
  return now >= instance.runningAt ? 'running' : 'pending';
}

/** Instances still visible: terminated ones disappear after the retention period. */
export function visibleInstances(cloud: Cloud): InstanceRecord[] {
  const state = ec2State(cloud);
  const now = cloud.clock.now();
  const retention = cloud.clock.scaled(state.settings.terminatedRetentionMs);
  return state.instances.filter((i) => i.terminatedAt === undefined || now < i.terminatedAt + retention);
}

/** Drops terminated instances past retention (and their associations); returns whether anything went. */
export function pruneInstances(cloud: Cloud): boolean {
  const state = ec2State(cloud);
  const keep = visibleInstances(cloud);
  if (keep.length === state.instances.length) return false;
  const ids = new Set(keep.map((i) => i.instanceId));
  state.instances = keep;
  state.associations = state.associations.filter((a) => ids.has(a.instanceId));
  return true;
}

export function findInstance(cloud: Cloud, instanceId: string): InstanceRecord | undefined {
  return ec2State(cloud).instances.find((i) => i.instanceId === instanceId);
}

export function findLaunchTemplate(
  cloud: Cloud,
  ref: { id?: string | undefined; name?: string | undefined },
): LaunchTemplateRecord | undefined {
  const templates = ec2State(cloud).launchTemplates;
  if (ref.id !== undefined) return templates.find((t) => t.id === ref.id);
  if (ref.name !== undefined) return templates.find((t) => t.name === ref.name);
  return undefined;
}

/** Resolves `$Default`, `$Latest` or a version number; undefined when the version does not exist. */
export function resolveVersion(
  template: LaunchTemplateRecord,
  version: string | undefined,
): LaunchTemplateVersionRecord | undefined {
  const wanted =
    version === undefined || version === '$Default'
      ? template.defaultVersion
      : version === '$Latest'
        ? template.latestVersion
        : Number(version);
  return template.versions.find((v) => v.versionNumber === wanted);
}
