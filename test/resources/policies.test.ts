import { describe, expect, it } from 'vitest';
import {
  ec2TrustPolicy,
  instancePolicy,
  parameterArn,
  ssmManagedInstanceCoreArn,
  ssmOnlyPolicy,
} from '../../resources/policies.ts';
import { ResilientError } from '../../src/errors.ts';

const scope = {
  partition: 'aws',
  region: 'us-west-2',
  accountId: '123456789012',
  parameterNames: {
    table: '/resilient/demo/table',
    failureResponse: '/resilient/demo/failure-response',
    healthCheck: '/resilient/demo/health-check',
  },
};
const parameterArns = [
  'arn:aws:ssm:us-west-2:123456789012:parameter/resilient/demo/table',
  'arn:aws:ssm:us-west-2:123456789012:parameter/resilient/demo/failure-response',
  'arn:aws:ssm:us-west-2:123456789012:parameter/resilient/demo/health-check',
];

const actionsOf = (doc: { Statement: readonly { Action: string | readonly string[] }[] }): string[] =>
  doc.Statement.flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : [...s.Action]));

describe('IAM policies', () => {
  it('instance policy grants only GetItem/DescribeTable on the table and GetParameters on the three parameters', () => {
    const doc = instancePolicy({ ...scope, tableName: 'resilient-demo-recommendations' });
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement).toEqual([
      {
        Sid: 'ReadRecommendationTable',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:DescribeTable'],
        Resource: ['arn:aws:dynamodb:us-west-2:123456789012:table/resilient-demo-recommendations'],
      },
      {
        Sid: 'ReadDeploymentParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameters'],
        Resource: parameterArns,
      },
    ]);
    expect(JSON.stringify(doc)).not.toContain('*');
  });

  it('SSM-only policy allows the parameters and nothing on DynamoDB', () => {
    const doc = ssmOnlyPolicy(scope);
    expect(actionsOf(doc)).toEqual(['ssm:GetParameters']);
    expect(JSON.stringify(doc)).not.toMatch(/dynamodb/i);
    expect(doc.Statement[0]?.Resource).toEqual(parameterArns);
  });

  it("builds parameter ARNs for the seed's slash-less names too", () => {
    expect(parameterArn(scope, 'doc-example-resilient-architecture-table')).toBe(
      'arn:aws:ssm:us-west-2:123456789012:parameter/doc-example-resilient-architecture-table',
    );
    expect(parameterArn({ ...scope, partition: 'aws-cn' }, '/a/b')).toBe(
      'arn:aws-cn:ssm:us-west-2:123456789012:parameter/a/b',
    );
  });

  it('trust policy lets only EC2 assume the role', () => {
    expect(ec2TrustPolicy()).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
  });

  it('names the SSM managed instance core policy in the partition', () => {
    expect(ssmManagedInstanceCoreArn('aws-us-gov')).toBe(
      'arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore',
    );
  });

  it('refuses values that would widen or corrupt the policy', () => {
    const bad = [
      () => instancePolicy({ ...scope, tableName: '*' }),
      () => instancePolicy({ ...scope, accountId: '*', tableName: 'ok-table' }),
      () => ssmOnlyPolicy({ ...scope, region: 'us-west-2"' }),
      () => ssmOnlyPolicy({ ...scope, parameterNames: { ...scope.parameterNames, table: '/resilient/*' } }),
      () => ssmOnlyPolicy({ ...scope, partition: 'gcp' }),
    ];
    for (const build of bad) expect(build).toThrow(ResilientError);
  });
});
