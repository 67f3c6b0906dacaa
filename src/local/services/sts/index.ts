import { AwsServiceError, type CallContext, type ServiceModule } from '../../contracts.ts';
import { findRole } from '../iam/model.ts';
import { issueRoleSession } from './sessions.ts';
import { trustAllows } from './trust.ts';

export { issueRoleSession } from './sessions.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function getCallerIdentity(_input: Record<string, unknown>, ctx: CallContext): unknown {
  const p = ctx.principal;
  if (p.kind === 'admin') return { UserId: p.accessKeyId, Account: p.accountId, Arn: p.arn };
  const role = findRole(ctx.cloud, p.roleName);
  return { UserId: `${role?.roleId ?? 'AROA'}:${p.sessionName}`, Account: p.accountId, Arn: p.arn };
}

/**
 * AssumeRole (STS API reference): the role (of the caller's account or another one of this cloud) must exist (else AccessDenied, as AWS does not reveal it), its
 * trust policy must name the caller, DurationSeconds is 900 s up to the role's MaxSessionDuration (default
 * 3600 s), RoleSessionName matches `[\w+=,.@-]{2,64}`.
 */
function assumeRole(input: Record<string, unknown>, ctx: CallContext): unknown {
  const roleArn = str(input.RoleArn);
  const sessionName = str(input.RoleSessionName);
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw new AwsServiceError(
      'ValidationError',
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  const denied = new AwsServiceError(
    'AccessDenied',
    `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
  const name = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (name === null) {
    throw new AwsServiceError('ValidationError', `${roleArn} is invalid`);
  }
  // The session belongs to the role's account, which may be another account of this cloud whose trust
  // policy names the caller's (IAM User Guide, "Cross-account access using roles").
  const roleAccount = name[1] ?? '';
  const home = roleAccount === ctx.cloud.config.accountId ? ctx.cloud : ctx.inAccount?.(roleAccount);
  const role = home === undefined ? undefined : findRole(home, name[2] ?? '');
  if (
    home === undefined ||
    role === undefined ||
    role.arn !== roleArn ||
    !trustAllows(role.assumeRolePolicyDocument, ctx.principal)
  ) {
    throw denied;
  }
  const duration = typeof input.DurationSeconds === 'number' ? input.DurationSeconds : 3600;
  if (duration < 900) {
    throw new AwsServiceError(
      'ValidationError',
      `1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    );
  }
  if (duration > role.maxSessionDuration) {
    throw new AwsServiceError(
      'ValidationError',
      `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`,
    );
  }
  const credentials = issueRoleSession(home, role.roleName, sessionName, duration * 1000);
  home.commit();
  return {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: new Date(credentials.expiration),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${roleAccount}:assumed-role/${role.roleName}/${sessionName}`,
    },
    PackedPolicySize: 0,
  };
}

export const sts: ServiceModule = {
  signingName: 'sts',
  protocol: 'awsQuery',
  actionPrefix: 'sts',
  operations: { GetCallerIdentity: getCallerIdentity, AssumeRole: assumeRole },
  resources(operation, input) {
    return operation === 'AssumeRole' ? [str(input.RoleArn)] : ['*'];
  },
};
