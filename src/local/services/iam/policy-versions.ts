/**
 * IAM GetPolicyVersion: how a client reads a managed policy's document (`aws iam get-policy-version
 * --policy-arn … --version-id v1`, or botocore's `Policy.default_version.document`). Local policies have one
 * version, `v1`, the default (CreatePolicyVersion is not served). The document is URL-encoded (RFC 3986),
 * as IAM returns every policy document (IAM API reference, GetPolicyVersion: "The policy document returned
 * in this structure is URL-encoded compliant with RFC 3986").
 */
import type { GetPolicyVersionCommandInput } from '@aws-sdk/client-iam';
import type { CallContext } from '../../contracts.ts';
import { op } from '../shared/ops.ts';
import { noSuchEntity, str } from './inputs.ts';
import { awsManagedPolicy } from './managed-policies.ts';
import { iamState } from './model.ts';

const ONLY_VERSION = 'v1';

function getPolicyVersion(input: GetPolicyVersionCommandInput, { cloud }: CallContext): unknown {
  const arn = str(input.PolicyArn);
  const versionId = str(input.VersionId);
  const customer = iamState(cloud).policies[arn];
  const managed = customer === undefined ? awsManagedPolicy(arn) : undefined;
  const document = customer?.document ?? managed?.document;
  if (document === undefined || versionId !== ONLY_VERSION) {
    throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
  }
  return {
    PolicyVersion: {
      Document: encodeURIComponent(document),
      VersionId: ONLY_VERSION,
      IsDefaultVersion: true,
      CreateDate: new Date(customer?.createDate ?? 0),
    },
  };
}

export const policyVersionOperations = { GetPolicyVersion: op(getPolicyVersion) };
