import type { Cloud, Principal } from '../contracts.ts';
import { findSession } from '../services/sts/sessions.ts';
import type { CommonError } from './common-errors.ts';

export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** One account of the local cloud and its admin identity (an IAM user allowed everything). */
export interface LocalAccount {
  readonly accountId: string;
  readonly admin: AdminCredentials;
}

/** The admin principal is an IAM user of its account; everything is allowed to it. */
export const adminArn = (accountId: string): string => `arn:aws:iam::${accountId}:user/resilient-local-admin`;

export type ResolvedCaller =
  | { readonly ok: true; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly ok: false; readonly error: CommonError };

export interface CallerDirectory {
  readonly accounts: readonly LocalAccount[];
  /** The account's global scope (where its STS sessions live). */
  accountCloud(accountId: string): Cloud;
  now(): number;
}

/**
 * Resolves a SigV4 access key id to the caller: an account's admin key, or a role session (of whichever
 * account the role belongs to) whose `x-amz-security-token` must match the one issued with it. Unknown
 * keys and mismatched tokens are `InvalidClientTokenId`; a session past its expiry is `ExpiredToken`.
 */
export function resolveCaller(
  directory: CallerDirectory,
  accessKeyId: string,
  securityToken: string | undefined,
): ResolvedCaller {
  for (const { accountId, admin } of directory.accounts) {
    if (accessKeyId !== admin.accessKeyId) continue;
    return {
      ok: true,
      secretAccessKey: admin.secretAccessKey,
      principal: { kind: 'admin', accountId, arn: adminArn(accountId), accessKeyId },
    };
  }
  for (const { accountId } of directory.accounts) {
    const session = findSession(directory.accountCloud(accountId), accessKeyId);
    if (session === undefined) continue;
    if (session.sessionToken !== securityToken) return { ok: false, error: 'unknownAccessKey' };
    if (directory.now() >= session.expiration) return { ok: false, error: 'expiredToken' };
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
  return { ok: false, error: 'unknownAccessKey' };
}
