import { randomBytes } from 'node:crypto';
import { AwsServiceError, type Cloud, type RoleCredentials } from '../../contracts.ts';
import { iamId, randomSecret } from '../iam/ids.ts';
import { findRole } from '../iam/model.ts';

/** A role session issued by AssumeRole (or for an instance profile through IMDS). */
export interface SessionRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly roleId: string;
  readonly sessionName: string;
  /** Epoch ms. */
  readonly expiration: number;
}

export interface StsState {
  sessions: Record<string, SessionRecord>;
}

export function stsState(cloud: Cloud): StsState {
  const state = cloud.state as Record<string, StsState | undefined>;
  let slice = state.sts;
  if (slice === undefined) {
    slice = { sessions: {} };
    state.sts = slice;
  }
  return slice;
}

/** Sessions stay findable for a day after they expire, so their callers get `ExpiredToken`, not an unknown key. */
const EXPIRED_RETENTION_MS = 24 * 60 * 60 * 1000;

function prune(cloud: Cloud, slice: StsState): void {
  const horizon = cloud.clock.now() - EXPIRED_RETENTION_MS;
  for (const [key, s] of Object.entries(slice.sessions))
    if (s.expiration < horizon) delete slice.sessions[key];
}

/**
 * Issues temporary credentials (ASIA… key id, secret, session token) for `roleName`, valid `durationMs`.
 * Used by AssumeRole and by the EC2 side for instance-profile credentials served through IMDS. The caller
 * commits the state.
 */
export function issueRoleSession(
  cloud: Cloud,
  roleName: string,
  sessionName: string,
  durationMs: number,
): RoleCredentials & { readonly roleArn: string; readonly roleId: string } {
  const role = findRole(cloud, roleName);
  if (role === undefined) {
    throw new AwsServiceError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, 404);
  }
  const slice = stsState(cloud);
  prune(cloud, slice);
  const session: SessionRecord = {
    accessKeyId: iamId('ASIA', 16),
    secretAccessKey: randomSecret(),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`,
    roleName: role.roleName,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName,
    expiration: cloud.clock.now() + durationMs,
  };
  slice.sessions[session.accessKeyId] = session;
  return {
    accessKeyId: session.accessKeyId,
    secretAccessKey: session.secretAccessKey,
    sessionToken: session.sessionToken,
    expiration: session.expiration,
    roleArn: role.arn,
    roleId: role.roleId,
  };
}

export const findSession = (cloud: Cloud, accessKeyId: string): SessionRecord | undefined =>
  stsState(cloud).sessions[accessKeyId];
