/**
 * EC2 errors with the wire codes and messages EC2 sends (EC2 API Reference, "Error codes"). EC2 has no
 * modelled errors: the SDK names the error after the code string, so the code is all a client matches on.
 */
import { AwsServiceError } from '../../contracts.ts';

const e = (code: string, message: string) => new AwsServiceError(code, message, 400);

export const ec2Errors = {
  missingParameter: (name: string) => e('MissingParameter', `The request must contain the parameter ${name}`),
  invalidParameterValue: (message: string) => e('InvalidParameterValue', message),
  invalidFilter: (name: string) => e('InvalidParameterValue', `The filter '${name}' is invalid`),
  instanceNotFound: (ids: readonly string[]) =>
    e(
      'InvalidInstanceID.NotFound',
      ids.length === 1
        ? `The instance ID '${ids[0]}' does not exist`
        : `The instance IDs '${ids.join(', ')}' do not exist`,
    ),
  instanceMalformed: (id: string) => e('InvalidInstanceID.Malformed', `Invalid id: "${id}"`),
  incorrectInstanceState: (id: string, state: string) =>
    e(
      'IncorrectInstanceState',
      `The instance '${id}' is not in a state from which it can be rebooted (${state}).`,
    ),
  launchTemplateNameExists: (name: string) =>
    e('InvalidLaunchTemplateName.AlreadyExistsException', `Launch template name already in use: ${name}.`),
  launchTemplateNameNotFound: () =>
    e(
      'InvalidLaunchTemplateName.NotFoundException',
      'At least one of the launch templates specified in the request does not exist.',
    ),
  launchTemplateIdNotFound: (id: string) =>
    e(
      'InvalidLaunchTemplateId.NotFound',
      `The specified launch template, with template ID ${id}, does not exist.`,
    ),
  launchTemplateVersionNotFound: (version: string) =>
    e('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version}.`),
  launchTemplateIdMalformed: (id: string) =>
    e('InvalidLaunchTemplateId.Malformed', `The specified ID for the launch template (${id}) is not valid.`),
  invalidLaunchTemplateName: (name: string) =>
    e(
      'InvalidLaunchTemplateName.MalformedException',
      `A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.' (${name})`,
    ),
  groupNotFound: (id: string) => e('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
  permissionDuplicate: (proto: string, from: number, to: number, cidr: string) =>
    e(
      'InvalidPermission.Duplicate',
      `the specified rule "peer: ${cidr}, ${proto.toUpperCase()}, from port: ${from}, to port: ${to}, ALLOW" already exists`,
    ),
  permissionNotFound: () =>
    e('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
  keyPairDuplicate: (name: string) => e('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`),
  keyPairNotFound: (name: string) => e('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`),
  associationNotFound: (id: string) =>
    e('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`),
  associationExists: (instanceId: string) =>
    e('IncorrectState', `There is an existing association for instance ${instanceId}`),
  profileNotFound: (ref: string) =>
    e(
      'InvalidParameterValue',
      `Value (${ref}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    ),
  imageNotFound: (id: string) => e('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`),
  idempotentParameterMismatch: () =>
    e(
      'IdempotentParameterMismatch',
      'The client token you have provided is associated with a resource that is already deleted or the request parameters differ. Please provide a new token.',
    ),
} as const;
