/**
 * EC2 DescribeLaunchTemplateVersions: what `aws ec2 describe-launch-template-versions` shows to check a
 * template (IMDSv2 required, the profile, the user data as given). Per the EC2 API reference: the template
 * by id or name; `Versions` of numbers, `$Latest` or `$Default` (all versions when absent); a version that
 * does not exist is `InvalidLaunchTemplateId.VersionNotFound`. Data comes back as stored, user data still
 * base64, as EC2 returns it.
 */
import type {
  DescribeLaunchTemplateVersionsCommandInput,
  DescribeLaunchTemplateVersionsCommandOutput,
  LaunchTemplateVersion,
  ResponseLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { CallContext } from '../../contracts.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ec2Errors } from './errors.ts';
import type { LaunchTemplateDataRecord, LaunchTemplateRecord, LaunchTemplateVersionRecord } from './model.ts';
import { resolveVersion } from './model.ts';
import { findTemplateOrThrow } from './templates.ts';

function responseData(data: LaunchTemplateDataRecord): ResponseLaunchTemplateData {
  const m = data.MetadataOptions;
  return {
    ...(data.ImageId === undefined ? {} : { ImageId: data.ImageId }),
    ...(data.InstanceType === undefined
      ? {}
      : { InstanceType: data.InstanceType as ResponseLaunchTemplateData['InstanceType'] }),
    ...(data.UserData === undefined ? {} : { UserData: data.UserData }),
    ...(data.KeyName === undefined ? {} : { KeyName: data.KeyName }),
    ...(data.SecurityGroupIds === undefined ? {} : { SecurityGroupIds: [...data.SecurityGroupIds] }),
    ...(data.IamInstanceProfile === undefined ? {} : { IamInstanceProfile: { ...data.IamInstanceProfile } }),
    ...(m === undefined
      ? {}
      : {
          MetadataOptions: {
            ...(m.HttpTokens === undefined
              ? {}
              : { HttpTokens: m.HttpTokens === 'required' ? 'required' : 'optional' }),
            ...(m.HttpEndpoint === undefined
              ? {}
              : { HttpEndpoint: m.HttpEndpoint === 'disabled' ? 'disabled' : 'enabled' }),
            ...(m.HttpPutResponseHopLimit === undefined
              ? {}
              : { HttpPutResponseHopLimit: m.HttpPutResponseHopLimit }),
          },
        }),
    ...(data.TagSpecifications === undefined
      ? {}
      : {
          TagSpecifications: data.TagSpecifications.map((s) => ({
            ...(s.ResourceType === undefined
              ? {}
              : {
                  ResourceType: s.ResourceType as NonNullable<
                    ResponseLaunchTemplateData['TagSpecifications']
                  >[number]['ResourceType'],
                }),
            Tags: (s.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })),
          })),
        }),
  };
}

function toVersion(
  template: LaunchTemplateRecord,
  version: LaunchTemplateVersionRecord,
): LaunchTemplateVersion {
  return {
    LaunchTemplateId: template.id,
    LaunchTemplateName: template.name,
    VersionNumber: version.versionNumber,
    CreateTime: new Date(version.createdAt),
    CreatedBy: template.createdBy,
    DefaultVersion: version.versionNumber === template.defaultVersion,
    LaunchTemplateData: responseData(version.data),
  };
}

export function describeLaunchTemplateVersions(
  input: DescribeLaunchTemplateVersionsCommandInput,
  { cloud }: CallContext,
): Out<DescribeLaunchTemplateVersionsCommandOutput> {
  const template = findTemplateOrThrow(cloud, input.LaunchTemplateId, input.LaunchTemplateName);
  const wanted = input.Versions ?? [];
  const versions =
    wanted.length === 0
      ? [...template.versions]
      : wanted.map((v) => {
          const found = resolveVersion(template, v);
          if (found === undefined) throw ec2Errors.launchTemplateVersionNotFound(v);
          return found;
        });
  const offset = decodeToken('DescribeLaunchTemplateVersions', input.NextToken);
  if (offset === undefined) throw ec2Errors.invalidParameterValue('Invalid NextToken');
  const { items, next } = page(versions, offset, input.MaxResults ?? 1000);
  return {
    LaunchTemplateVersions: items.map((v) => toVersion(template, v)),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeLaunchTemplateVersions', next) }),
  };
}
