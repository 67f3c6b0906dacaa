import { describe, expect, it } from 'vitest';
import {
  evaluate,
  evaluateAll,
  type ParsedPolicy,
  parsePolicy,
  wildcardMatch,
} from '../../../src/local/api/iam-policy.ts';

const policy = (statement: unknown): ParsedPolicy => {
  const parsed = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statement }), 'identity');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.policy;
};

describe('IAM policy evaluation', () => {
  it('implicitly denies with no matching statement and allows with one', () => {
    const p = policy({
      Effect: 'Allow',
      Action: 'ssm:GetParameters',
      Resource: 'arn:aws:ssm:*:*:parameter/app/*',
    });
    expect(evaluate([p], 'ssm:GetParameters', 'arn:aws:ssm:us-west-2:1:parameter/app/table')).toBe('allow');
    expect(evaluate([p], 'ssm:GetParameters', 'arn:aws:ssm:us-west-2:1:parameter/other')).toBe(
      'implicit-deny',
    );
    expect(evaluate([], 'ssm:GetParameters', '*')).toBe('implicit-deny');
  });

  it('lets an explicit deny in any policy beat an allow', () => {
    const allow = policy([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const deny = policy({ Effect: 'Deny', Action: ['dynamodb:*'], Resource: '*' });
    expect(evaluate([allow, deny], 'dynamodb:GetItem', 'arn:aws:dynamodb:r:a:table/t')).toBe('explicit-deny');
    expect(evaluate([allow, deny], 'ssm:GetParameter', '*')).toBe('allow');
  });

  it('supports NotAction and NotResource', () => {
    const p = policy([
      { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::public/*' },
    ]);
    expect(evaluate([p], 'iam:CreateRole', '*')).toBe('implicit-deny');
    expect(evaluate([p], 'ec2:DescribeInstances', '*')).toBe('allow');
    expect(evaluate([p], 's3:GetObject', 'arn:aws:s3:::secret/x')).toBe('explicit-deny');
    expect(evaluate([p], 's3:GetObject', 'arn:aws:s3:::public/x')).toBe('allow');
  });

  it('matches actions case-insensitively and resources case-sensitively, with * and ?', () => {
    expect(wildcardMatch('EC2:Describe*', 'ec2:DescribeInstances', true)).toBe(true);
    expect(wildcardMatch('iam:Get?ole', 'iam:GetRole', true)).toBe(true);
    expect(wildcardMatch('iam:Get?ole', 'iam:GetXRole', true)).toBe(false);
    expect(wildcardMatch('arn:aws:iam::1:role/App*', 'arn:aws:iam::1:role/app-x', false)).toBe(false);
    expect(wildcardMatch('a.b', 'axb', false)).toBe(false);
  });

  it('denies a multi-resource request when any resource is denied, naming it', () => {
    const p = policy({ Effect: 'Allow', Action: 'dynamodb:BatchGetItem', Resource: 'arn:t/a' });
    expect(evaluateAll([p], 'dynamodb:BatchGetItem', ['arn:t/a', 'arn:t/b'])).toEqual({
      decision: 'implicit-deny',
      resource: 'arn:t/b',
    });
  });

  it('rejects malformed identity and trust documents', () => {
    expect(parsePolicy('{', 'identity').ok).toBe(false);
    expect(parsePolicy(JSON.stringify({ Statement: [] }), 'identity').ok).toBe(false);
    expect(parsePolicy(JSON.stringify({ Statement: { Effect: 'Allow', Action: 'x' } }), 'identity').ok).toBe(
      false,
    );
    expect(
      parsePolicy(JSON.stringify({ Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } }), 'trust').ok,
    ).toBe(false);
    expect(
      parsePolicy(
        JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } }),
        'trust',
      ).ok,
    ).toBe(true);
  });
});
