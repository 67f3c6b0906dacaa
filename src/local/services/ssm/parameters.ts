/**
 * SSM Parameter Store: String/StringList/SecureString, versions, tags, and the public AMI parameters
 * (Run Command and managed instances are in `commands.ts`).
 */
import type {
  DeleteParameterCommandInput,
  DeleteParameterCommandOutput,
  DeleteParametersCommandInput,
  DeleteParametersCommandOutput,
  GetParameterCommandInput,
  GetParameterCommandOutput,
  GetParametersByPathCommandInput,
  GetParametersByPathCommandOutput,
  GetParametersCommandInput,
  GetParametersCommandOutput,
  Parameter,
  PutParameterCommandInput,
  PutParameterCommandOutput,
} from '@aws-sdk/client-ssm';
import type { CallContext, Cloud } from '../../contracts.ts';
import { LOCAL_IMAGE_ID } from '../ec2/model.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ssmErrors } from './errors.ts';
import { type ParameterRecord, ssmState } from './model.ts';

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
