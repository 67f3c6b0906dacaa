/**
 * Regression for two operations the AWS CLI exposed as missing (the daemon answered UnknownOperationException
 * / InvalidAction): `aws ssm describe-parameters`, what a CLI user lists parameters with (and how the
 * teardown check proves none is left), and `aws ec2 describe-launch-template-versions`, how one reads back
 * a template's data (IMDSv2, profile, user data); and `aws iam get-policy-version`, how one reads a
 * policy's document back. All through the CLI against the daemon process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Aws, awsCli, failure, ok } from '../../_support/aws-cli.ts';
import { type DaemonProcess, startDaemon } from '../../_support/local-cloud.ts';

interface ParameterMetadata {
  readonly Name: string;
  readonly Type: string;
  readonly Version: number;
  readonly Description?: string;
  readonly LastModifiedUser: string;
  readonly Tier: string;
  readonly DataType: string;
  readonly Value?: unknown;
}

let daemon: DaemonProcess;
let aws: Aws;

beforeAll(async () => {
  daemon = await startDaemon(0.05);
  aws = awsCli(daemon);
});
afterAll(async () => {
  await daemon?.stop();
});

const names = async (...args: string[]): Promise<string[]> =>
  (await ok<{ Parameters: ParameterMetadata[] }>(aws, 'ssm', 'describe-parameters', ...args)).Parameters.map(
    (p) => p.Name,
  );

describe('aws ssm describe-parameters', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await Promise.all(
      [
        ['/app/a', 'String', 'first'],
        ['/app/deep/b', 'String', 'second'],
        ['/other/c', 'StringList', 'x,y'],
        ['plain', 'String', 'v'],
      ].map(([name = '', type = '', value = '']) =>
        ok(
          aws,
          'ssm',
          'put-parameter',
          '--name',
          name,
          '--value',
          value,
          '--type',
          type,
          '--description',
          `d-${name}`,
        ),
      ),
    );
    await ok(aws, 'ssm', 'put-parameter', '--name', 'plain', '--value', 'v2', '--overwrite');
  });

  it('lists the account’s parameters by name with their metadata and never their values', async () => {
    const out = await ok<{ Parameters: ParameterMetadata[] }>(aws, 'ssm', 'describe-parameters');
    expect(out.Parameters.map((p) => p.Name)).toEqual(['/app/a', '/app/deep/b', '/other/c', 'plain']);
    const plain = out.Parameters.find((p) => p.Name === 'plain');
    expect(plain).toMatchObject({
      Type: 'String',
      Version: 2,
      Description: 'd-plain',
      Tier: 'Standard',
      DataType: 'text',
      LastModifiedUser: expect.stringMatching(/^arn:aws:iam::\d{12}:user\//),
    });
    expect(out.Parameters.every((p) => p.Value === undefined)).toBe(true);
  });

  it('filters by name, path and type, and by the legacy name prefix', async () => {
    expect(await names('--parameter-filters', 'Key=Name,Values=plain')).toEqual(['plain']);
    expect(await names('--parameter-filters', 'Key=Name,Option=BeginsWith,Values=/app')).toEqual([
      '/app/a',
      '/app/deep/b',
    ]);
    expect(await names('--parameter-filters', 'Key=Path,Option=OneLevel,Values=/app')).toEqual(['/app/a']);
    expect(await names('--parameter-filters', 'Key=Path,Option=Recursive,Values=/app')).toEqual([
      '/app/a',
      '/app/deep/b',
    ]);
    expect(await names('--parameter-filters', 'Key=Type,Values=StringList')).toEqual(['/other/c']);
    expect(await names('--filters', 'Key=Name,Values=/other')).toEqual(['/other/c']);
  });

  it('pages with NextToken: the CLI walks every page at page size 1, and --max-items hands back a token', async () => {
    expect(await names('--page-size', '1')).toEqual(['/app/a', '/app/deep/b', '/other/c', 'plain']);
    const first = await ok<{ Parameters: ParameterMetadata[]; NextToken: string }>(
      aws,
      'ssm',
      'describe-parameters',
      '--max-items',
      '3',
    );
    expect(first.Parameters).toHaveLength(3);
    expect(await names('--starting-token', first.NextToken)).toEqual(['plain']);
  });

  it('answers bad filters and tokens with SSM’s error codes', async () => {
    const [key, option, token] = await Promise.all([
      failure(aws, 'ssm', 'describe-parameters', '--parameter-filters', 'Key=Colour,Values=x'),
      failure(aws, 'ssm', 'describe-parameters', '--parameter-filters', 'Key=Name,Option=Recursive,Values=x'),
      failure(aws, 'ssm', 'describe-parameters', '--cli-input-json', '{"NextToken":"not-a-token"}'),
    ]);
    expect([key.code, option.code, token.code]).toEqual([
      'InvalidFilterKey',
      'InvalidFilterOption',
      'InvalidNextToken',
    ]);
  });
});

describe('aws ec2 describe-launch-template-versions', { timeout: 120_000 }, () => {
  const userData = Buffer.from(
    "#!/bin/bash\ncat > /etc/resilient/server.env <<'RESILIENT_ENV'\nA=b\nRESILIENT_ENV\n",
  ).toString('base64');

  beforeAll(async () => {
    await ok(
      aws,
      'ec2',
      'create-launch-template',
      '--launch-template-name',
      'inspect-template',
      '--launch-template-data',
      JSON.stringify({
        ImageId: 'ami-0a1b2c3d4e5f60718',
        InstanceType: 't3.micro',
        IamInstanceProfile: { Name: 'some-profile' },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        UserData: userData,
      }),
    );
  });

  it('returns the stored data of $Default, $Latest, a number, or every version', async () => {
    type Versions = {
      LaunchTemplateVersions: {
        LaunchTemplateName: string;
        VersionNumber: number;
        DefaultVersion: boolean;
        LaunchTemplateData: Record<string, unknown>;
      }[];
    };
    const [byDefault, byLatest, byNumber, all] = await Promise.all(
      [['$Default'], ['$Latest'], ['1'], []].map((versions) =>
        ok<Versions>(
          aws,
          'ec2',
          'describe-launch-template-versions',
          '--launch-template-name',
          'inspect-template',
          ...(versions.length > 0 ? ['--versions', ...versions] : []),
        ),
      ),
    );
    for (const out of [byDefault, byLatest, byNumber, all]) {
      expect(out?.LaunchTemplateVersions).toHaveLength(1);
      expect(out?.LaunchTemplateVersions[0]).toMatchObject({
        LaunchTemplateName: 'inspect-template',
        VersionNumber: 1,
        DefaultVersion: true,
      });
    }
    expect(byDefault?.LaunchTemplateVersions[0]?.LaunchTemplateData).toEqual({
      ImageId: 'ami-0a1b2c3d4e5f60718',
      InstanceType: 't3.micro',
      IamInstanceProfile: { Name: 'some-profile' },
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      UserData: userData,
    });
  });

  it('answers a missing version or template with EC2’s error codes', async () => {
    const [version, template] = await Promise.all([
      failure(
        aws,
        'ec2',
        'describe-launch-template-versions',
        '--launch-template-name',
        'inspect-template',
        '--versions',
        '7',
      ),
      failure(aws, 'ec2', 'describe-launch-template-versions', '--launch-template-name', 'no-such-template'),
    ]);
    expect(version.code).toBe('InvalidLaunchTemplateId.VersionNotFound');
    expect(template.code).toBe('InvalidLaunchTemplateName.NotFoundException');
  });
});

describe('aws iam get-policy-version', { timeout: 120_000 }, () => {
  // Characters that URL-decoding would change if the document were not URL-encoded on the wire.
  const document = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/a%41b+c d&é' }],
  };

  beforeAll(async () => {
    await ok(
      aws,
      'iam',
      'create-policy',
      '--policy-name',
      'inspect-policy',
      '--policy-document',
      JSON.stringify(document),
    );
  });

  it('returns the default version’s document exactly as written, for our policies and AWS managed ones', async () => {
    type Version = { PolicyVersion: { Document: unknown; VersionId: string; IsDefaultVersion: boolean } };
    const [ours, managed] = await Promise.all([
      ok<Version>(
        aws,
        'iam',
        'get-policy-version',
        '--policy-arn',
        `arn:aws:iam::${daemon.record.accountId}:policy/inspect-policy`,
        '--version-id',
        'v1',
      ),
      ok<Version>(
        aws,
        'iam',
        'get-policy-version',
        '--policy-arn',
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
        '--version-id',
        'v1',
      ),
    ]);
    expect(ours.PolicyVersion).toMatchObject({ Document: document, VersionId: 'v1', IsDefaultVersion: true });
    expect(managed.PolicyVersion.Document).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({ Action: expect.arrayContaining(['ssm:UpdateInstanceInformation']) }),
      ]),
    });
  });

  it('answers a missing version or policy with NoSuchEntity', async () => {
    const [version, policy] = await Promise.all([
      failure(
        aws,
        'iam',
        'get-policy-version',
        '--policy-arn',
        `arn:aws:iam::${daemon.record.accountId}:policy/inspect-policy`,
        '--version-id',
        'v2',
      ),
      failure(
        aws,
        'iam',
        'get-policy-version',
        '--policy-arn',
        `arn:aws:iam::${daemon.record.accountId}:policy/none`,
        '--version-id',
        'v1',
      ),
    ]);
    expect([version.code, policy.code]).toEqual(['NoSuchEntity', 'NoSuchEntity']);
  });
});
