/**
 * Launch templates: create (name unique per Region, `ClientToken` idempotent), describe by id/name,
 * delete. Data is stored as given; `UserData` stays base64 until the view decodes it for the process.
 */
import type {
  CreateLaunchTemplateCommandInput,
  CreateLaunchTemplateCommandOutput,
  DeleteLaunchTemplateCommandInput,
  DeleteLaunchTemplateCommandOutput,
  DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplatesCommandOutput,
  LaunchTemplate,
} from '@aws-sdk/client-ec2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import { newId } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { type TagRecord, tagFilterValues } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import { ec2State, type LaunchTemplateDataRecord, type LaunchTemplateRecord } from './model.ts';

const NAME_RE = /^[a-zA-Z0-9().\-/_]{3,128}$/;

export function toLaunchTemplate(template: LaunchTemplateRecord): LaunchTemplate {
  return {
    LaunchTemplateId: template.id,
    LaunchTemplateName: template.name,
    CreateTime: new Date(template.createdAt),
    CreatedBy: template.createdBy,
    DefaultVersionNumber: template.defaultVersion,
    LatestVersionNumber: template.latestVersion,
    ...(template.tags.length > 0 ? { Tags: template.tags } : {}),
  };
}

function tagsFor(
  specs:
    | readonly {
        ResourceType?: string | undefined;
        Tags?: { Key?: string | undefined; Value?: string | undefined }[] | undefined;
      }[]
    | undefined,
  type: string,
): TagRecord[] {
  return (specs ?? [])
    .filter((s) => s.ResourceType === type)
    .flatMap((s) => s.Tags ?? [])
    .map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

/** Keeps only the plain-JSON fields of LaunchTemplateData that the local cloud uses. */
function dataRecord(input: CreateLaunchTemplateCommandInput['LaunchTemplateData']): LaunchTemplateDataRecord {
  const data = input ?? {};
  const record: LaunchTemplateDataRecord = {};
  if (data.ImageId !== undefined) record.ImageId = data.ImageId;
  if (data.InstanceType !== undefined) record.InstanceType = data.InstanceType;
  if (data.UserData !== undefined) record.UserData = data.UserData;
  if (data.KeyName !== undefined) record.KeyName = data.KeyName;
  if (data.SecurityGroupIds !== undefined) record.SecurityGroupIds = [...data.SecurityGroupIds];
  if (data.IamInstanceProfile !== undefined) {
    record.IamInstanceProfile = {
      ...(data.IamInstanceProfile.Name === undefined ? {} : { Name: data.IamInstanceProfile.Name }),
      ...(data.IamInstanceProfile.Arn === undefined ? {} : { Arn: data.IamInstanceProfile.Arn }),
    };
  }
  if (data.MetadataOptions !== undefined) {
    const m = data.MetadataOptions;
    record.MetadataOptions = {
      ...(m.HttpTokens === undefined ? {} : { HttpTokens: m.HttpTokens }),
      ...(m.HttpEndpoint === undefined ? {} : { HttpEndpoint: m.HttpEndpoint }),
      ...(m.HttpPutResponseHopLimit === undefined
        ? {}
        : { HttpPutResponseHopLimit: m.HttpPutResponseHopLimit }),
    };
  }
  if (data.TagSpecifications !== undefined) {
    record.TagSpecifications = data.TagSpecifications.map((spec) => ({
      ...(spec.ResourceType === undefined ? {} : { ResourceType: spec.ResourceType }),
      Tags: (spec.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    }));
  }
  return record;
}

export function createLaunchTemplate(
  input: CreateLaunchTemplateCommandInput,
  ctx: CallContext,
): Out<CreateLaunchTemplateCommandOutput> {
  const { cloud } = ctx;
  const state = ec2State(cloud);
  const name = input.LaunchTemplateName;
  if (name === undefined) throw ec2Errors.missingParameter('LaunchTemplateName');
  if (input.LaunchTemplateData === undefined) throw ec2Errors.missingParameter('LaunchTemplateData');
  if (!NAME_RE.test(name)) throw ec2Errors.invalidLaunchTemplateName(name);
  const data = dataRecord(input.LaunchTemplateData);
  // ClientToken idempotency: the same token with the same name returns the original template.
  if (input.ClientToken !== undefined) {
    const prior = state.launchTemplates.find((t) => t.clientToken === input.ClientToken);
    if (prior !== undefined) {
      if (prior.name !== name) throw ec2Errors.idempotentParameterMismatch();
      return { LaunchTemplate: toLaunchTemplate(prior) };
    }
  }
  if (state.launchTemplates.some((t) => t.name === name)) throw ec2Errors.launchTemplateNameExists(name);
  // 16 KB of raw user data is 21,848 base64 characters.
  if (data.UserData !== undefined && data.UserData.length > 21_848) {
    throw ec2Errors.invalidParameterValue('User data is limited to 16384 bytes');
  }
  const now = cloud.clock.now();
  const template: LaunchTemplateRecord = {
    id: newId('lt'),
    name,
    createdAt: now,
    createdBy: ctx.principal.arn,
    defaultVersion: 1,
    latestVersion: 1,
    versions: [{ versionNumber: 1, createdAt: now, data }],
    tags: tagsFor(input.TagSpecifications, 'launch-template'),
    clientToken: input.ClientToken,
  };
  state.launchTemplates.push(template);
  cloud.commit();
  return { LaunchTemplate: toLaunchTemplate(template) };
}

export function describeLaunchTemplates(
  input: DescribeLaunchTemplatesCommandInput,
  { cloud }: CallContext,
): Out<DescribeLaunchTemplatesCommandOutput> {
  const templates = ec2State(cloud).launchTemplates;
  for (const id of input.LaunchTemplateIds ?? []) {
    if (!/^lt-[0-9a-f]{17}$/.test(id)) throw ec2Errors.launchTemplateIdMalformed(id);
    if (!templates.some((t) => t.id === id)) throw ec2Errors.launchTemplateIdNotFound(id);
  }
  for (const name of input.LaunchTemplateNames ?? []) {
    if (!templates.some((t) => t.name === name)) throw ec2Errors.launchTemplateNameNotFound();
  }
  const selected = templates.filter((t) => {
    if (input.LaunchTemplateIds?.length && !input.LaunchTemplateIds.includes(t.id)) return false;
    if (input.LaunchTemplateNames?.length && !input.LaunchTemplateNames.includes(t.name)) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        tagFilterValues(name, t.tags) ??
        { 'launch-template-name': [t.name], 'create-time': [new Date(t.createdAt).toISOString()] }[name],
      ec2Errors.invalidFilter,
    );
  });
  const offset = decodeToken('DescribeLaunchTemplates', input.NextToken);
  if (offset === undefined) throw ec2Errors.invalidParameterValue('Invalid NextToken');
  const { items, next } = page(selected, offset, input.MaxResults ?? 1000);
  return {
    LaunchTemplates: items.map(toLaunchTemplate),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeLaunchTemplates', next) }),
  };
}

export function findTemplateOrThrow(
  cloud: Cloud,
  id: string | undefined,
  name: string | undefined,
): LaunchTemplateRecord {
  const templates = ec2State(cloud).launchTemplates;
  if (id !== undefined) {
    const found = templates.find((t) => t.id === id);
    if (!found) throw ec2Errors.launchTemplateIdNotFound(id);
    return found;
  }
  if (name !== undefined) {
    const found = templates.find((t) => t.name === name);
    if (!found) throw ec2Errors.launchTemplateNameNotFound();
    return found;
  }
  throw ec2Errors.missingParameter('LaunchTemplateId or LaunchTemplateName');
}

export function deleteLaunchTemplate(
  input: DeleteLaunchTemplateCommandInput,
  { cloud }: CallContext,
): Out<DeleteLaunchTemplateCommandOutput> {
  const template = findTemplateOrThrow(cloud, input.LaunchTemplateId, input.LaunchTemplateName);
  const state = ec2State(cloud);
  state.launchTemplates = state.launchTemplates.filter((t) => t !== template);
  cloud.commit();
  return { LaunchTemplate: toLaunchTemplate(template) };
}
