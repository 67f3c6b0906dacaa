import type { Cloud, Principal } from '../contracts.ts';
import { findSession } from '../services/sts/sessions.ts';
import type { CommonError } from './common-errors.ts';

export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The admin principal is an IAM user of the local account; everything is allowed to it. */
export const adminArn = (accountId: string): string => `arn:aws:iam::${accountId}:user/resilient-local-admin`;

export type ResolvedCaller =
  | { readonly ok: true; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly ok: false; readonly error: CommonError };

/**
 * Resolves a SigV4 access key id to the caller: the admin key, or a role session whose
 * `x-amz-security-token` must match the one issued with it. Unknown keys and mismatched tokens are
 * `InvalidClientTokenId`; a session past its expiry is `ExpiredToken`.
 */
export function resolveCaller(
  cloud: Cloud,
  admin: AdminCredentials,
  accessKeyId: string,
  securityToken: string | undefined,
): ResolvedCaller {
  const accountId = cloud.config.accountId;
  if (accessKeyId === admin.accessKeyId) {
    return {
      ok: true,
      secretAccessKey: admin.secretAccessKey,
      principal: { kind: 'admin', accountId, arn: adminArn(accountId), accessKeyId },
    };
  }
  const session = findSession(cloud, accessKeyId);
  if (session === undefined || session.sessionToken !== securityToken)
    return { ok: false, error: 'unknownAccessKey' };
  if (cloud.clock.now() >= session.expiration) return { ok: false, error: 'expiredToken' };
  return {
    ok: true,
    secretAccessKey: session.secretAccessKey,
    principal: {
      kind: 'role-session',
      accountId,
      arn: `arn:aws:sts::${accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
      roleArn: session.roleArn,
      roleName: session.roleName,
      sessionName: session.sessionName,
      accessKeyId,
    },
  };
}
