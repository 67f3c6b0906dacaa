/**
 * Instance-profile associations (EC2 API reference): describe, associate, replace and disassociate; the
 * role an instance's IMDS serves follows the association at once.
 */
import type {
  AssociateIamInstanceProfileCommandInput,
  AssociateIamInstanceProfileCommandOutput,
  DescribeIamInstanceProfileAssociationsCommandInput,
  DescribeIamInstanceProfileAssociationsCommandOutput,
  DisassociateIamInstanceProfileCommandInput,
  DisassociateIamInstanceProfileCommandOutput,
  IamInstanceProfileAssociation,
  ReplaceIamInstanceProfileAssociationCommandInput,
  ReplaceIamInstanceProfileAssociationCommandOutput,
} from '@aws-sdk/client-ec2';
import type { CallContext, Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ec2Errors } from './errors.ts';
import { associateProfile, currentAssociation } from './instance-lifecycle.ts';
import { checkIds, resolveProfile } from './instances.ts';
import { type AssociationRecord, ec2State } from './model.ts';

function associationOut(
  a: AssociationRecord,
  stateOverride?: AssociationRecord['state'],
): IamInstanceProfileAssociation {
  return {
    AssociationId: a.associationId,
    InstanceId: a.instanceId,
    IamInstanceProfile: { Arn: a.profileArn, Id: a.profileId },
    State: stateOverride ?? a.state,
    Timestamp: new Date(a.timestamp),
  };
}

export function describeIamInstanceProfileAssociations(
  input: DescribeIamInstanceProfileAssociationsCommandInput,
  { cloud }: CallContext,
): Out<DescribeIamInstanceProfileAssociationsCommandOutput> {
  const all = ec2State(cloud).associations;
  for (const id of input.AssociationIds ?? []) {
    if (!all.some((a) => a.associationId === id)) throw ec2Errors.associationNotFound(id);
  }
  const selected = all.filter((a) => {
    if (input.AssociationIds?.length) {
      if (!input.AssociationIds.includes(a.associationId)) return false;
    } else if (a.state === 'disassociated' && !(input.Filters ?? []).some((f) => f.Name === 'state')) {
      // Past associations are only listed when asked for by id or by state.
      return false;
    }
    return matchesFilters(
      input.Filters,
      (name) => ({ 'instance-id': [a.instanceId], state: [a.state] })[name],
      ec2Errors.invalidFilter,
    );
  });
  const offset = decodeToken('DescribeIamInstanceProfileAssociations', input.NextToken);
  if (offset === undefined) throw ec2Errors.invalidParameterValue('Invalid NextToken');
  const { items, next } = page(selected, offset, input.MaxResults ?? 1000);
  return {
    IamInstanceProfileAssociations: items.map((a) => associationOut(a)),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeIamInstanceProfileAssociations', next) }),
  };
}

function profileOrThrow(
  cloud: Cloud,
  ref: { Name?: string | undefined; Arn?: string | undefined } | undefined,
) {
  if (ref === undefined || (ref.Name === undefined && ref.Arn === undefined)) {
    throw ec2Errors.missingParameter('IamInstanceProfile');
  }
  const profile = resolveProfile(cloud, ref);
  if (profile === undefined) throw ec2Errors.profileNotFound(ref.Arn ?? ref.Name ?? '');
  return profile;
}

export function associateIamInstanceProfile(
  input: AssociateIamInstanceProfileCommandInput,
  { cloud }: CallContext,
): Out<AssociateIamInstanceProfileCommandOutput> {
  if (input.InstanceId === undefined) throw ec2Errors.missingParameter('InstanceId');
  checkIds(cloud, [input.InstanceId]);
  const profile = profileOrThrow(cloud, input.IamInstanceProfile);
  if (currentAssociation(cloud, input.InstanceId) !== undefined)
    throw ec2Errors.associationExists(input.InstanceId);
  const association = associateProfile(cloud, input.InstanceId, profile);
  cloud.commit();
  return { IamInstanceProfileAssociation: associationOut(association, 'associating') };
}

function liveAssociationOrThrow(cloud: Cloud, associationId: string | undefined): AssociationRecord {
  if (associationId === undefined) throw ec2Errors.missingParameter('AssociationId');
  const association = ec2State(cloud).associations.find(
    (a) => a.associationId === associationId && a.state === 'associated',
  );
  if (association === undefined) throw ec2Errors.associationNotFound(associationId);
  return association;
}

/**
 * Replaces the profile of a running instance without disassociating first: the old association ends and
 * a new one (new id) starts. The role the view reports changes at once; the instance process keeps its
 * cached credentials until it restarts (docs/local-cloud.md#instance-profiles-and-reboots).
 */
export function replaceIamInstanceProfileAssociation(
  input: ReplaceIamInstanceProfileAssociationCommandInput,
  { cloud }: CallContext,
): Out<ReplaceIamInstanceProfileAssociationCommandOutput> {
  const old = liveAssociationOrThrow(cloud, input.AssociationId);
  const profile = profileOrThrow(cloud, input.IamInstanceProfile);
  old.state = 'disassociated';
  const association = associateProfile(cloud, old.instanceId, profile);
  cloud.commit();
  return { IamInstanceProfileAssociation: associationOut(association, 'associating') };
}

export function disassociateIamInstanceProfile(
  input: DisassociateIamInstanceProfileCommandInput,
  { cloud }: CallContext,
): Out<DisassociateIamInstanceProfileCommandOutput> {
  const association = liveAssociationOrThrow(cloud, input.AssociationId);
  association.state = 'disassociated';
  cloud.commit();
  return { IamInstanceProfileAssociation: associationOut(association, 'disassociating') };
}
