/**
 * Bodies IMDS serves, in AWS's own formats (docs/local-cloud.md#imdsv2): JSON pretty-printed with `" : "`
 * separators, timestamps without milliseconds, and the HTML 404 page.
 */
import { createHash } from 'node:crypto';
import type { IssuedCredentials } from './role-credentials.ts';

export function isoSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

/** AWS's IMDS JSON layout: two-space indent and `" : "` between key and value. */
export function awsJson(fields: Readonly<Record<string, string>>): string {
  const lines = Object.entries(fields).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

export function credentialsDocument(issued: IssuedCredentials): string {
  const c = issued.credentials;
  return awsJson({
    Code: 'Success',
    LastUpdated: isoSeconds(issued.lastUpdated),
    Type: 'AWS-HMAC',
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    Token: c.sessionToken,
    Expiration: isoSeconds(c.expiration),
  });
}

/** What EC2 serves when it cannot assume the profile's role (docs/local-cloud.md#imdsv2). */
export function assumeRoleFailureDocument(roleName: string, now: number): string {
  return awsJson({
    Code: 'AssumeRoleUnauthorizedAccess',
    Message: `EC2 cannot assume the role ${roleName}.  Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html#troubleshoot_roles_ec2.`,
    LastUpdated: isoSeconds(now),
  });
}

export function instanceProfileId(instanceProfileArn: string): string {
  const digest = createHash('sha256').update(instanceProfileArn).digest('hex').toUpperCase();
  return `AIPA${digest.slice(0, 17)}`;
}

export function iamInfoDocument(instanceProfileArn: string, lastUpdated: number): string {
  return awsJson({
    Code: 'Success',
    LastUpdated: isoSeconds(lastUpdated),
    InstanceProfileArn: instanceProfileArn,
    InstanceProfileId: instanceProfileId(instanceProfileArn),
  });
}

export const NOT_FOUND_PAGE =
  '<?xml version="1.0" encoding="iso-8859-1"?>\n' +
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n' +
  '\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
  '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
  ' <head>\n  <title>404 - Not Found</title>\n </head>\n <body>\n  <h1>404 - Not Found</h1>\n </body>\n</html>\n';
