/** The EC2 service module (ec2Query protocol, signing name `ec2`). */
import type { ServiceModule } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import { describeImages, describeInstanceTypeOfferings } from './images.ts';
import {
  describeInstanceStatus,
  describeInstances,
  rebootInstances,
  terminateInstances,
} from './instances.ts';
import {
  createKeyPair,
  createTags,
  deleteKeyPair,
  deleteTags,
  describeKeyPairs,
  describeTags,
} from './keys-tags.ts';
import { describeAvailabilityZones, describeSubnets, describeVpcs } from './network.ts';
import {
  associateIamInstanceProfile,
  describeIamInstanceProfileAssociations,
  disassociateIamInstanceProfile,
  replaceIamInstanceProfileAssociation,
} from './profile-associations.ts';
import { describeSecurityGroupRules, withRuleTags } from './security-group-rules.ts';
import {
  authorizeSecurityGroupIngress,
  describeSecurityGroups,
  revokeSecurityGroupIngress,
} from './security-groups.ts';
import { describeLaunchTemplateVersions } from './template-versions.ts';
import { createLaunchTemplate, deleteLaunchTemplate, describeLaunchTemplates } from './templates.ts';

const INSTANCE_OPERATIONS = new Set([
  'TerminateInstances',
  'RebootInstances',
  'AssociateIamInstanceProfile',
  'DescribeInstances',
  'DescribeInstanceStatus',
]);

export const ec2Service: ServiceModule = {
  signingName: 'ec2',
  protocol: 'ec2Query',
  actionPrefix: 'ec2',
  operations: {
    DescribeAvailabilityZones: op(describeAvailabilityZones),
    DescribeVpcs: op(describeVpcs),
    DescribeSubnets: op(describeSubnets),
    DescribeSecurityGroups: op(describeSecurityGroups),
    AuthorizeSecurityGroupIngress: op(withRuleTags(authorizeSecurityGroupIngress)),
    DescribeSecurityGroupRules: op(describeSecurityGroupRules),
    RevokeSecurityGroupIngress: op(revokeSecurityGroupIngress),
    DescribeImages: op(describeImages),
    DescribeInstanceTypeOfferings: op(describeInstanceTypeOfferings),
    CreateLaunchTemplate: op(createLaunchTemplate),
    DescribeLaunchTemplates: op(describeLaunchTemplates),
    DeleteLaunchTemplate: op(deleteLaunchTemplate),
    DescribeLaunchTemplateVersions: op(describeLaunchTemplateVersions),
    DescribeInstances: op(describeInstances),
    DescribeInstanceStatus: op(describeInstanceStatus),
    TerminateInstances: op(terminateInstances),
    RebootInstances: op(rebootInstances),
    DescribeIamInstanceProfileAssociations: op(describeIamInstanceProfileAssociations),
    AssociateIamInstanceProfile: op(associateIamInstanceProfile),
    ReplaceIamInstanceProfileAssociation: op(replaceIamInstanceProfileAssociation),
    DisassociateIamInstanceProfile: op(disassociateIamInstanceProfile),
    CreateKeyPair: op(createKeyPair),
    DeleteKeyPair: op(deleteKeyPair),
    DescribeKeyPairs: op(describeKeyPairs),
    CreateTags: op(createTags),
    DeleteTags: op(deleteTags),
    DescribeTags: op(describeTags),
  },
  /** EC2 instance actions are resource-scoped to `instance/<id>`; the rest have no resource type here. */
  resources(operation, input, ctx) {
    const { region, accountId } = ctx.cloud.config;
    const ids = input['InstanceIds'] ?? input['InstanceId'];
    const list = Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : [];
    if (INSTANCE_OPERATIONS.has(operation) && list.length > 0 && !operation.startsWith('Describe')) {
      return list.map((id) => `arn:aws:ec2:${region}:${accountId}:instance/${String(id)}`);
    }
    return ['*'];
  },
};
