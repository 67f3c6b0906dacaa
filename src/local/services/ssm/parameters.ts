/**
 * SSM operations: Parameter Store (String/StringList/SecureString, versions, tags, public AMI
 * parameters) and Run Command (recorded, never executed). DescribeInstanceInformation lists running
 * instances whose current role has `AmazonSSMManagedInstanceCore`, like an SSM agent that registered.
 */
import type {
  Command,
  DeleteParameterCommandInput,
  DeleteParameterCommandOutput,
  DeleteParametersCommandInput,
  DeleteParametersCommandOutput,
  DescribeInstanceInformationCommandInput,
  DescribeInstanceInformationCommandOutput,
  GetCommandInvocationCommandInput,
  GetCommandInvocationCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  GetParametersCommandInput,
  GetParametersCommandOutput,
  ListCommandsCommandInput,
  ListCommandsCommandOutput,
  Parameter,
  PutParameterCommandInput,
  PutParameterCommandOutput,
  SendCommandCommandInput,
  SendCommandCommandOutput,
} from '@aws-sdk/client-ssm';
import type { CallContext, Cloud } from '../../contracts.ts';
import { findInstanceProfile, roleHasManagedPolicy } from '../ec2/iam-link.ts';
import { currentAssociation, instanceState, LOCAL_IMAGE_ID, visibleInstances } from '../ec2/model.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ssmErrors } from './errors.ts';
import {
  type CommandRecord,
  invocationStatus,
  type ParameterRecord,
  restartsWorkload,
  ssmState,
} from './model.ts';

type Out<T> = Omit<T, '$metadata'>;

const PUBLIC_AMI_PREFIX = '/aws/service/ami-amazon-linux-latest/';
const NAME_RE = /^[a-zA-Z0-9_.\-/]{1,2048}$/;

function parameterArn(cloud: Cloud, name: string, publicParameter = false): string {
  const account = publicParameter ? '' : cloud.config.accountId;
  return `arn:aws:ssm:${cloud.config.region}:${account}:parameter/${name.replace(/^\//, '')}`;
}

function checkName(name: string | undefined): string {
  if (name === undefined || name.length === 0)
    throw ssmErrors.validation('Parameter name must not be empty.');
  if (!NAME_RE.test(name)) {
    throw ssmErrors.validation(
      `Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`,
    );
  }
  if (name.includes('/') && !name.startsWith('/'))
    throw ssmErrors.validation('Parameter name must be a fully qualified name.');
  if (name.split('/').length - 1 > 15) throw ssmErrors.hierarchyLevelLimit();
  return name;
}

/** Public parameters for the Amazon Linux AMIs resolve to the local image. */
function publicParameter(cloud: Cloud, name: string): Parameter | undefined {
  if (!name.startsWith(PUBLIC_AMI_PREFIX)) return undefined;
  return {
    Name: name,
    Type: 'String',
    Value: LOCAL_IMAGE_ID,
    Version: 1,
    LastModifiedDate: new Date(Date.UTC(2025, 0, 1)),
    ARN: parameterArn(cloud, name, true),
    DataType: 'text',
  };
}

function toParameter(cloud: Cloud, p: ParameterRecord, decrypt: boolean): Parameter {
  return {
    Name: p.name,
    Type: p.type,
    // Without WithDecryption a SecureString comes back as ciphertext, never the value.
    Value:
      p.type === 'SecureString' && !decrypt
        ? Buffer.from(`kms:${p.keyId ?? 'alias/aws/ssm'}:${p.version}`).toString('base64')
        : p.value,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    ARN: parameterArn(cloud, p.name),
    DataType: p.dataType,
  };
}

function lookup(cloud: Cloud, name: string, decrypt: boolean): Parameter | undefined {
  const stored = ssmState(cloud).parameters[name];
  return stored === undefined ? publicParameter(cloud, name) : toParameter(cloud, stored, decrypt);
}

export function putParameter(
  input: PutParameterCommandInput,
  ctx: CallContext,
): Out<PutParameterCommandOutput> {
  const { cloud } = ctx;
  const name = checkName(input.Name);
  if (/^\/?(aws|ssm)/i.test(name)) {
    throw ssmErrors.validation(`No access to reserved parameter name: ${name}.`);
  }
  if (input.Value === undefined || input.Value.length === 0) {
    throw ssmErrors.validation(
      `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (input.Value.length > 4096)
    throw ssmErrors.validation('Parameter value must be at most 4096 characters for the Standard tier.');
  const state = ssmState(cloud);
  const existing = state.parameters[name];
  if (existing !== undefined && input.Overwrite !== true) throw ssmErrors.parameterAlreadyExists();
  if (existing !== undefined && input.Tags !== undefined) {
    throw ssmErrors.validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  const type = input.Type ?? existing?.type;
  if (type === undefined)
    throw ssmErrors.validation('A parameter type is required when you create a parameter.');
  if (type !== 'String' && type !== 'StringList' && type !== 'SecureString')
    throw ssmErrors.unsupportedParameterType(type);
  const allowedPattern = input.AllowedPattern ?? existing?.allowedPattern;
  if (allowedPattern !== undefined && !new RegExp(allowedPattern).test(input.Value))
    throw ssmErrors.invalidAllowedPattern();
  const record: ParameterRecord = {
    name,
    type,
    value: input.Value,
    version: (existing?.version ?? 0) + 1,
    lastModified: cloud.clock.now(),
    description: input.Description ?? existing?.description,
    dataType: input.DataType ?? existing?.dataType ?? 'text',
    tier: input.Tier ?? existing?.tier ?? 'Standard',
    allowedPattern,
    keyId: type === 'SecureString' ? (input.KeyId ?? existing?.keyId ?? 'alias/aws/ssm') : undefined,
    lastModifiedUser: ctx.principal.arn,
    tags: existing?.tags ?? (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
  };
  state.parameters[name] = record;
  cloud.commit();
  return { Version: record.version, Tier: record.tier === 'Advanced' ? 'Advanced' : 'Standard' };
}

export function getParameter(
  input: GetParameterCommandInput,
  { cloud }: CallContext,
): Out<GetParameterCommandOutput> {
  const name = input.Name ?? '';
  const found = lookup(cloud, name, input.WithDecryption === true);
  if (found === undefined) throw ssmErrors.parameterNotFound();
  return { Parameter: found };
}

export function getParameters(
  input: GetParametersCommandInput,
  { cloud }: CallContext,
): Out<GetParametersCommandOutput> {
  const names = input.Names ?? [];
  if (names.length === 0 || names.length > 10) {
    throw ssmErrors.validation(
      `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  }
  const found: Parameter[] = [];
  const invalid: string[] = [];
  for (const name of names) {
    const p = lookup(cloud, name, input.WithDecryption === true);
    if (p === undefined) invalid.push(name);
    else found.push(p);
  }
  return { Parameters: found, InvalidParameters: invalid };
}

export function getParametersByPath(
  input: GetParametersByPathCommandInput,
  { cloud }: CallContext,
): Out<GetParametersByPathCommandOutput> {
  const path = input.Path ?? '';
  if (!path.startsWith('/'))
    throw ssmErrors.validation(
      'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
    );
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const all = Object.values(ssmState(cloud).parameters)
    .filter(
      (p) =>
        p.name.startsWith(prefix) && (input.Recursive === true || !p.name.slice(prefix.length).includes('/')),
    )
    .sort((a, b) => a.name.localeCompare(b.name));
  const offset = decodeToken('GetParametersByPath', input.NextToken);
  if (offset === undefined) throw ssmErrors.invalidNextToken();
  const { items, next } = page(all, offset, input.MaxResults ?? 10);
  return {
    Parameters: items.map((p) => toParameter(cloud, p, input.WithDecryption === true)),
    ...(next === undefined ? {} : { NextToken: encodeToken('GetParametersByPath', next) }),
  };
}

export function deleteParameter(
  input: DeleteParameterCommandInput,
  { cloud }: CallContext,
): Out<DeleteParameterCommandOutput> {
  const state = ssmState(cloud);
  const name = input.Name ?? '';
  if (state.parameters[name] === undefined) throw ssmErrors.parameterNotFound();
  delete state.parameters[name];
  cloud.commit();
  return {};
}

export function deleteParameters(
  input: DeleteParametersCommandInput,
  { cloud }: CallContext,
): Out<DeleteParametersCommandOutput> {
  const state = ssmState(cloud);
  const deleted: string[] = [];
  const invalid: string[] = [];
  for (const name of input.Names ?? []) {
    if (state.parameters[name] === undefined) invalid.push(name);
    else {
      delete state.parameters[name];
      deleted.push(name);
    }
  }
  if (deleted.length > 0) cloud.commit();
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}

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
