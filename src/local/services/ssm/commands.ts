/**
 * Run Command and managed instances (SSM API reference): DescribeInstanceInformation lists the running
 * instances whose profile allows the agent, SendCommand records a command (never executed: a restart of
 * the server restarts the workload), GetCommandInvocation and ListCommands report it by timestamps.
 */
import type {
  Command,
  DescribeInstanceInformationCommandInput,
  DescribeInstanceInformationCommandOutput,
  GetCommandInvocationCommandInput,
  GetCommandInvocationCommandOutput,
  ListCommandsCommandInput,
  ListCommandsCommandOutput,
  SendCommandCommandInput,
  SendCommandCommandOutput,
} from '@aws-sdk/client-ssm';
import type { CallContext, Cloud } from '../../contracts.ts';
import { findInstanceProfile, roleHasManagedPolicy } from '../ec2/iam-link.ts';
import { currentAssociation } from '../ec2/instance-lifecycle.ts';
import { instanceState, visibleInstances } from '../ec2/model.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ssmErrors } from './errors.ts';
import { type CommandRecord, invocationStatus, restartsWorkload, ssmState } from './model.ts';

/** Instance ids an SSM agent would have registered: running, not mid-reboot, role with the core policy. */
export function managedInstanceIds(cloud: Cloud): string[] {
  const now = cloud.clock.now();
  return visibleInstances(cloud)
    .filter((i) => {
      if (instanceState(i, now) !== 'running') return false;
      if (i.rebootedUntil !== undefined && now < i.rebootedUntil) return false;
      const association = currentAssociation(cloud, i.instanceId);
      if (association === undefined) return false;
      const roleName =
        findInstanceProfile(cloud, { Arn: association.profileArn })?.roleName ?? association.roleName;
      return roleName !== undefined && roleHasManagedPolicy(cloud, roleName, 'AmazonSSMManagedInstanceCore');
    })
    .map((i) => i.instanceId);
}

export function describeInstanceInformation(
  input: DescribeInstanceInformationCommandInput,
  { cloud }: CallContext,
): Out<DescribeInstanceInformationCommandOutput> {
  let wanted: string[] | undefined;
  for (const f of input.Filters ?? []) {
    if (f.Key === 'InstanceIds') wanted = [...(wanted ?? []), ...(f.Values ?? [])];
    else if (f.Key !== 'PingStatus' && f.Key !== 'ResourceType' && f.Key !== 'PlatformTypes')
      throw ssmErrors.invalidFilterKey(f.Key ?? '');
  }
  for (const f of input.InstanceInformationFilterList ?? []) {
    if (f.key === 'InstanceIds') wanted = [...(wanted ?? []), ...(f.valueSet ?? [])];
  }
  const now = cloud.clock.now();
  const instances = visibleInstances(cloud);
  const ids = managedInstanceIds(cloud).filter((id) => wanted === undefined || wanted.includes(id));
  const offset = decodeToken('DescribeInstanceInformation', input.NextToken);
  if (offset === undefined) throw ssmErrors.invalidNextToken();
  const { items, next } = page(ids, offset, input.MaxResults ?? 50);
  return {
    InstanceInformationList: items.map((id) => {
      const instance = instances.find((i) => i.instanceId === id);
      return {
        InstanceId: id,
        PingStatus: 'Online',
        LastPingDateTime: new Date(now),
        AgentVersion: '3.3.0.0',
        IsLatestVersion: true,
        PlatformType: 'Linux',
        PlatformName: 'Amazon Linux',
        PlatformVersion: '2023',
        ResourceType: 'EC2Instance',
        IPAddress: instance?.privateIpAddress ?? '',
        ComputerName: `ip-${(instance?.privateIpAddress ?? '').replace(/\./g, '-')}.${cloud.config.region}.compute.internal`,
        SourceId: id,
        SourceType: 'AWS::EC2::Instance',
      };
    }),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeInstanceInformation', next) }),
  };
}

function commandStatus(cloud: Cloud, c: CommandRecord): 'Pending' | 'InProgress' | 'Success' {
  return invocationStatus(cloud, c) ?? 'Pending';
}

function toCommand(cloud: Cloud, c: CommandRecord): Command {
  const status = commandStatus(cloud, c);
  return {
    CommandId: c.commandId,
    DocumentName: c.documentName,
    DocumentVersion: '$DEFAULT',
    Comment: c.comment,
    Parameters: c.parameters,
    InstanceIds: c.instanceIds,
    Targets: [],
    RequestedDateTime: new Date(c.requestedAt),
    ExpiresAfter: new Date(c.requestedAt + 3_600_000),
    Status: status,
    StatusDetails: status,
    TargetCount: c.instanceIds.length,
    CompletedCount: status === 'Success' ? c.instanceIds.length : 0,
    ErrorCount: 0,
    DeliveryTimedOutCount: 0,
    TimeoutSeconds: 3600,
    MaxConcurrency: '50',
    MaxErrors: '0',
  };
}

export function sendCommand(
  input: SendCommandCommandInput,
  { cloud }: CallContext,
): Out<SendCommandCommandOutput> {
  const documentName = input.DocumentName;
  if (documentName !== 'AWS-RunShellScript') throw ssmErrors.invalidDocument(documentName ?? '');
  const ids = input.InstanceIds ?? [];
  if (ids.length === 0) throw ssmErrors.validation('InstanceIds or Targets must be specified.');
  const managed = new Set(managedInstanceIds(cloud));
  const unmanaged = ids.filter((id) => !managed.has(id));
  if (unmanaged.length > 0) throw ssmErrors.invalidInstanceIds(unmanaged);
  const commands = input.Parameters?.['commands'] ?? [];
  if (commands.length === 0) throw ssmErrors.invalidParameters('Parameter "commands" is required.');
  const record: CommandRecord = {
    commandId: crypto.randomUUID(),
    documentName,
    instanceIds: [...ids],
    parameters: Object.fromEntries(Object.entries(input.Parameters ?? {}).map(([k, v]) => [k, [...v]])),
    comment: input.Comment ?? '',
    requestedAt: cloud.clock.now(),
    restarts: restartsWorkload(commands),
  };
  if (record.restarts) {
    for (const instance of visibleInstances(cloud)) {
      if (ids.includes(instance.instanceId)) instance.workloadGeneration += 1;
    }
  }
  ssmState(cloud).commands.unshift(record);
  cloud.commit();
  return { Command: toCommand(cloud, record) };
}

export function getCommandInvocation(
  input: GetCommandInvocationCommandInput,
  { cloud }: CallContext,
): Out<GetCommandInvocationCommandOutput> {
  const command = ssmState(cloud).commands.find((c) => c.commandId === input.CommandId);
  if (command === undefined) throw ssmErrors.invalidCommandId();
  if (input.InstanceId === undefined || !command.instanceIds.includes(input.InstanceId)) {
    throw ssmErrors.invocationDoesNotExist();
  }
  const status = invocationStatus(cloud, command);
  // Just after SendCommand the invocation does not exist yet; waiters retry on this error.
  if (status === undefined) throw ssmErrors.invocationDoesNotExist();
  const { settings } = ssmState(cloud);
  const start = command.requestedAt + cloud.clock.scaled(settings.startMs);
  const end = command.requestedAt + cloud.clock.scaled(settings.completeMs);
  const done = status === 'Success';
  return {
    CommandId: command.commandId,
    InstanceId: input.InstanceId,
    Comment: command.comment,
    DocumentName: command.documentName,
    DocumentVersion: '$DEFAULT',
    PluginName: 'aws:runShellScript',
    ResponseCode: done ? 0 : -1,
    ExecutionStartDateTime: status === 'Pending' ? '' : new Date(start).toISOString(),
    ExecutionElapsedTime: done ? `PT${((end - start) / 1000).toFixed(3)}S` : '',
    ExecutionEndDateTime: done ? new Date(end).toISOString() : '',
    Status: status,
    StatusDetails: status,
    // Nothing runs: output is empty, as it is on AWS until the status is final.
    StandardOutputContent: '',
    StandardOutputUrl: '',
    StandardErrorContent: '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

export function listCommands(
  input: ListCommandsCommandInput,
  { cloud }: CallContext,
): Out<ListCommandsCommandOutput> {
  const selected = ssmState(cloud).commands.filter(
    (c) =>
      (input.CommandId === undefined || c.commandId === input.CommandId) &&
      (input.InstanceId === undefined || c.instanceIds.includes(input.InstanceId)),
  );
  if (input.CommandId !== undefined && selected.length === 0) throw ssmErrors.invalidCommandId();
  const offset = decodeToken('ListCommands', input.NextToken);
  if (offset === undefined) throw ssmErrors.invalidNextToken();
  const { items, next } = page(selected, offset, input.MaxResults ?? 50);
  return {
    Commands: items.map((c) => toCommand(cloud, c)),
    ...(next === undefined ? {} : { NextToken: encodeToken('ListCommands', next) }),
  };
}
