/**
 * EC2 instance operations: describe (reservations, filters, pagination), status, terminate and reboot
 * (associations are in `profile-associations.ts`). Instances are launched only by Auto Scaling (`launchInstance`).
 * Per docs/local-cloud.md#instance-profiles-and-reboots, replacing an association changes the role IMDS serves at once, while the running
 * process keeps the credentials it cached until it restarts (the data plane's concern).
 */
import type {
  DescribeInstanceStatusCommandInput,
  DescribeInstanceStatusCommandOutput,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  Instance,
  RebootInstancesCommandInput,
  RebootInstancesCommandOutput,
  StatusType,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { tagFilterValues } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import { findInstanceProfile, type InstanceProfileInfo } from './iam-link.ts';
import {
  currentAssociation,
  instanceStatus,
  rebootInstance,
  terminateInstance,
} from './instance-lifecycle.ts';
import {
  ec2State,
  type InstanceRecord,
  instanceState,
  pruneInstances,
  STATE_CODES,
  visibleInstances,
} from './model.ts';
import { zoneId } from './network.ts';

export function checkIds(cloud: Cloud, ids: readonly string[] | undefined): void {
  if (!ids?.length) return;
  for (const id of ids) if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw ec2Errors.instanceMalformed(id);
  const known = new Set(visibleInstances(cloud).map((i) => i.instanceId));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw ec2Errors.instanceNotFound(missing);
}

/** An instance profile by name or ARN; when IAM does not know it yet, a name still yields its ARN. */
export function resolveProfile(
  cloud: Cloud,
  ref: { Name?: string | undefined; Arn?: string | undefined },
): InstanceProfileInfo | undefined {
  const found = findInstanceProfile(cloud, ref);
  if (found !== undefined) return found;
  return undefined;
}

function toInstance(cloud: Cloud, i: InstanceRecord): Instance {
  const now = cloud.clock.now();
  const state = instanceState(i, now);
  const association = currentAssociation(cloud, i.instanceId);
  const groups = ec2State(cloud).securityGroups;
  const ipName = `ip-${i.privateIpAddress.replace(/\./g, '-')}.${cloud.config.region}.compute.internal`;
  return {
    InstanceId: i.instanceId,
    ImageId: i.imageId,
    InstanceType: i.instanceType as Instance['InstanceType'],
    LaunchTime: new Date(i.launchedAt),
    Placement: {
      AvailabilityZone: i.zone,
      AvailabilityZoneId: zoneId(cloud, i.zone),
      Tenancy: 'default',
      GroupName: '',
    },
    PrivateIpAddress: i.privateIpAddress,
    PrivateDnsName: ipName,
    PublicDnsName: '',
    State: { Code: STATE_CODES[state], Name: state },
    StateTransitionReason:
      i.terminatedAt === undefined
        ? ''
        : `User initiated (${new Date(i.terminatedAt).toISOString().slice(0, 19)} GMT)`,
    ...(i.terminatedAt === undefined
      ? {}
      : {
          StateReason: {
            Code: 'Client.UserInitiatedShutdown',
            Message: 'Client.UserInitiatedShutdown: User initiated shutdown',
          },
        }),
    SubnetId: state === 'terminated' ? undefined : i.subnetId,
    VpcId: state === 'terminated' ? undefined : i.vpcId,
    Architecture: 'x86_64',
    Hypervisor: 'xen',
    VirtualizationType: 'hvm',
    RootDeviceType: 'ebs',
    RootDeviceName: '/dev/xvda',
    AmiLaunchIndex: i.amiLaunchIndex,
    EbsOptimized: false,
    EnaSupport: true,
    Monitoring: { State: 'disabled' },
    ...(i.keyName === undefined ? {} : { KeyName: i.keyName }),
    SecurityGroups: i.securityGroupIds.map((id) => ({
      GroupId: id,
      GroupName: groups.find((g) => g.groupId === id)?.groupName ?? '',
    })),
    Tags: i.tags,
    ...(association === undefined
      ? {}
      : { IamInstanceProfile: { Arn: association.profileArn, Id: association.profileId } }),
    MetadataOptions: {
      State: 'applied',
      HttpTokens: i.httpTokens,
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
      HttpProtocolIpv6: 'disabled',
      InstanceMetadataTags: 'disabled',
    },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
  };
}

function instanceFilterValues(cloud: Cloud, i: InstanceRecord, name: string): string[] | undefined {
  const tags = tagFilterValues(name, i.tags);
  if (tags !== undefined) return tags;
  const state = instanceState(i, cloud.clock.now());
  const association = currentAssociation(cloud, i.instanceId);
  const values: Record<string, string[]> = {
    'instance-id': [i.instanceId],
    'instance-state-name': [state],
    'instance-state-code': [String(STATE_CODES[state])],
    'availability-zone': [i.zone],
    'vpc-id': [i.vpcId],
    'subnet-id': [i.subnetId],
    'image-id': [i.imageId],
    'instance-type': [i.instanceType],
    'private-ip-address': [i.privateIpAddress],
    'reservation-id': [i.reservationId],
    'key-name': i.keyName === undefined ? [] : [i.keyName],
    'iam-instance-profile.arn': association === undefined ? [] : [association.profileArn],
    'instance.group-id': i.securityGroupIds,
    'launch-template.launch-template-id': i.launchTemplate ? [i.launchTemplate.id] : [],
  };
  return values[name];
}

export function describeInstances(
  input: DescribeInstancesCommandInput,
  { cloud }: CallContext,
): Out<DescribeInstancesCommandOutput> {
  if (pruneInstances(cloud)) cloud.commit();
  checkIds(cloud, input.InstanceIds);
  const selected = visibleInstances(cloud).filter((i) => {
    if (input.InstanceIds?.length && !input.InstanceIds.includes(i.instanceId)) return false;
    return matchesFilters(
      input.Filters,
      (name) => instanceFilterValues(cloud, i, name),
      ec2Errors.invalidFilter,
    );
  });
  const offset = decodeToken('DescribeInstances', input.NextToken);
  if (offset === undefined) throw ec2Errors.invalidParameterValue('Invalid NextToken');
  const { items, next } = page(selected, offset, input.MaxResults ?? 1000);
  return {
    // Auto Scaling launches one instance per request, so each instance is its own reservation.
    Reservations: items.map((i) => ({
      ReservationId: i.reservationId,
      OwnerId: cloud.config.accountId,
      RequesterId: '940372691376',
      Groups: [],
      Instances: [toInstance(cloud, i)],
    })),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeInstances', next) }),
  };
}

export function describeInstanceStatus(
  input: DescribeInstanceStatusCommandInput,
  { cloud }: CallContext,
): Out<DescribeInstanceStatusCommandOutput> {
  checkIds(cloud, input.InstanceIds);
  const now = cloud.clock.now();
  const selected = visibleInstances(cloud).filter((i) => {
    if (input.InstanceIds?.length && !input.InstanceIds.includes(i.instanceId)) return false;
    // Without IncludeAllInstances only running instances are described (EC2 API Reference).
    if (input.IncludeAllInstances !== true && instanceState(i, now) !== 'running') return false;
    return true;
  });
  return {
    InstanceStatuses: selected.map((i) => {
      const state = instanceState(i, now);
      const status = state === 'running' ? instanceStatus(cloud, i) : 'not-applicable';
      const reachability: StatusType =
        status === 'ok' ? 'passed' : status === 'impaired' ? 'failed' : 'initializing';
      return {
        InstanceId: i.instanceId,
        AvailabilityZone: i.zone,
        AvailabilityZoneId: zoneId(cloud, i.zone),
        InstanceState: { Code: STATE_CODES[state], Name: state },
        InstanceStatus: {
          Status: status,
          Details: state === 'running' ? [{ Name: 'reachability', Status: reachability }] : [],
        },
        SystemStatus: {
          Status:
            state === 'running' ? (status === 'initializing' ? 'initializing' : 'ok') : 'not-applicable',
          Details:
            state === 'running'
              ? [{ Name: 'reachability', Status: status === 'initializing' ? 'initializing' : 'passed' }]
              : [],
        },
      };
    }),
  };
}

export function terminateInstances(
  input: TerminateInstancesCommandInput,
  { cloud }: CallContext,
): Out<TerminateInstancesCommandOutput> {
  const ids = input.InstanceIds ?? [];
  if (ids.length === 0) throw ec2Errors.missingParameter('InstanceId');
  checkIds(cloud, ids);
  const now = cloud.clock.now();
  const out = ids.map((id) => {
    const result = terminateInstance(cloud, id);
    const previous = result?.previous ?? 'terminated';
    const instance = ec2State(cloud).instances.find((i) => i.instanceId === id);
    const current = instance ? instanceState(instance, now) : 'terminated';
    return {
      InstanceId: id,
      PreviousState: { Code: STATE_CODES[previous], Name: previous },
      CurrentState: { Code: STATE_CODES[current], Name: current },
    };
  });
  cloud.commit();
  return { TerminatingInstances: out };
}

export function rebootInstances(
  input: RebootInstancesCommandInput,
  { cloud }: CallContext,
): Out<RebootInstancesCommandOutput> {
  const ids = input.InstanceIds ?? [];
  if (ids.length === 0) throw ec2Errors.missingParameter('InstanceId');
  checkIds(cloud, ids);
  const now = cloud.clock.now();
  const instances = ids.map((id) => ec2State(cloud).instances.find((i) => i.instanceId === id));
  for (const instance of instances) {
    if (instance === undefined) continue;
    const state = instanceState(instance, now);
    if (state === 'terminated' || state === 'shutting-down')
      throw ec2Errors.incorrectInstanceState(instance.instanceId, state);
  }
  for (const instance of instances) if (instance) rebootInstance(cloud, instance);
  cloud.commit();
  return {};
}
