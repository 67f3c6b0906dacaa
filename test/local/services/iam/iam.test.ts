import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  paginateListRoles,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  TagPolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findInstanceProfile, findRole } from '../../../../src/local/services/iam/index.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../../_support/local-cloud.ts';
import { sdkFailure } from '../../../_support/sdk-failure.ts';

const trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const policyDoc = JSON.stringify({
  Version: '2012-10-17',
  Statement: { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:*:table/t' },
});

let local: TestLocalCloud;
let iam: IAMClient;

beforeAll(async () => {
  local = await startTestLocalCloud();
  iam = localClient(IAMClient, local);
});
afterAll(async () => {
  await local.close();
});

describe('IAM roles', () => {
  it('creates, reads (trust policy URL-encoded), tags and deletes a role', async () => {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'app-role',
        AssumeRolePolicyDocument: trust,
        Tags: [{ Key: 'k', Value: 'v' }],
      }),
    );
    expect(created.Role?.Arn).toBe('arn:aws:iam::123456789012:role/app-role');
    expect(created.Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(created.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'app-role' }));
    expect(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? '')).toBe(trust);
    expect(got.Role?.CreateDate).toBeInstanceOf(Date);
    await iam.send(new TagRoleCommand({ RoleName: 'app-role', Tags: [{ Key: 'k2', Value: 'v2' }] }));
    const tags = await iam.send(new ListRoleTagsCommand({ RoleName: 'app-role' }));
    expect(tags.Tags).toEqual([
      { Key: 'k', Value: 'v' },
      { Key: 'k2', Value: 'v2' },
    ]);
    expect(findRole(local.cloud, 'app-role')?.arn).toBe(created.Role?.Arn);
    await iam.send(new DeleteRoleCommand({ RoleName: 'app-role' }));
    expect(await sdkFailure(iam.send(new GetRoleCommand({ RoleName: 'app-role' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
      message: 'The role with name app-role cannot be found.',
    });
  });

  it('rejects a duplicate (any case) with EntityAlreadyExists 409 and a bad trust policy with MalformedPolicyDocument', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'dup-role', AssumeRolePolicyDocument: trust }));
    expect(
      await sdkFailure(
        iam.send(new CreateRoleCommand({ RoleName: 'DUP-role', AssumeRolePolicyDocument: trust })),
      ),
    ).toMatchObject({ name: 'EntityAlreadyExistsException', status: 409 });
    expect(
      await sdkFailure(
        iam.send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{nope' })),
      ),
    ).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      status: 400,
    });
  });

  it('validates required members and name patterns with ValidationError', async () => {
    const missing = await sdkFailure(iam.send(new CreateRoleCommand({ RoleName: 'x' } as never)));
    expect(missing.name).toBe('ValidationError');
    expect(missing.message).toContain(
      "Value null at 'assumeRolePolicyDocument' failed to satisfy constraint",
    );
    const pattern = await sdkFailure(
      iam.send(new CreateRoleCommand({ RoleName: 'has space', AssumeRolePolicyDocument: trust })),
    );
    expect(pattern).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  it('lists roles by path prefix across pages with Marker and IsTruncated', async () => {
    for (let i = 0; i < 5; i++) {
      await iam.send(
        new CreateRoleCommand({ RoleName: `paged-${i}`, Path: '/paged/', AssumeRolePolicyDocument: trust }),
      );
    }
    const first = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['paged-0', 'paged-1']);
    expect(first.IsTruncated).toBe(true);
    expect(first.Roles?.[0]?.Arn).toBe('arn:aws:iam::123456789012:role/paged/paged-0');
    const names: string[] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 2 }, { PathPrefix: '/paged/' })) {
      names.push(...(page.Roles ?? []).map((r) => r.RoleName ?? ''));
    }
    expect(names).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);
  });
});

describe('IAM policies and attachments', () => {
  it('creates, attaches, lists, refuses deletes while attached, detaches and deletes', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'att-role', AssumeRolePolicyDocument: trust }));
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'att-policy',
        PolicyDocument: policyDoc,
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    );
    const arn = created.Policy?.Arn ?? '';
    expect(arn).toBe('arn:aws:iam::123456789012:policy/att-policy');
    await iam.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: 'c', Value: 'd' }] }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: arn }));
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'att-role',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      }),
    );
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'att-role' }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual([
      'AmazonSSMManagedInstanceCore',
      'att-policy',
    ]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.AttachmentCount).toBe(1);
    const local1 = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    expect(local1.Policies?.map((p) => p.PolicyName)).toEqual(['att-policy']);
    expect(await sdkFailure(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    expect(await sdkFailure(iam.send(new DeleteRoleCommand({ RoleName: 'att-role' })))).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: arn }));
    await iam.send(
      new DetachRolePolicyCommand({
        RoleName: 'att-role',
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
      }),
    );
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'att-role' }));
    expect(await sdkFailure(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
  });

  it('rejects policy documents with a principal, no resource or bad JSON as MalformedPolicyDocument', async () => {
    const bad = [
      '{',
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*' } }),
      JSON.stringify({
        Version: '2012-10-17',
        Statement: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' },
      }),
      JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Maybe', Action: '*', Resource: '*' } }),
    ];
    for (const [i, doc] of bad.entries()) {
      expect(
        await sdkFailure(iam.send(new CreatePolicyCommand({ PolicyName: `bad-${i}`, PolicyDocument: doc }))),
      ).toMatchObject({
        name: 'MalformedPolicyDocumentException',
        status: 400,
      });
    }
  });
});

describe('IAM instance profiles', () => {
  it('holds one role, reports conflicts, lists by role, and exposes findInstanceProfile', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'ip-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new CreateRoleCommand({ RoleName: 'ip-role-2', AssumeRolePolicyDocument: trust }));
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'ip' }));
    expect(created.InstanceProfile?.Arn).toBe('arn:aws:iam::123456789012:instance-profile/ip');
    await iam.send(
      new TagInstanceProfileCommand({ InstanceProfileName: 'ip', Tags: [{ Key: 'x', Value: 'y' }] }),
    );
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ip', RoleName: 'ip-role' }));
    expect(
      await sdkFailure(
        iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'ip', RoleName: 'ip-role-2' })),
      ),
    ).toMatchObject({ name: 'LimitExceededException', status: 409 });
    const got = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ip' }));
    expect(got.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual(['ip-role']);
    expect(got.InstanceProfile?.Tags).toEqual([{ Key: 'x', Value: 'y' }]);
    expect(findInstanceProfile(local.cloud, created.InstanceProfile?.Arn ?? '')).toMatchObject({
      name: 'ip',
      roleNames: ['ip-role'],
    });
    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'ip-role' }));
    expect(forRole.InstanceProfiles?.map((p) => p.InstanceProfileName)).toEqual(['ip']);
    expect(await sdkFailure(iam.send(new DeleteRoleCommand({ RoleName: 'ip-role' })))).toMatchObject({
      name: 'DeleteConflictException',
    });
    expect(
      await sdkFailure(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ip' }))),
    ).toMatchObject({
      name: 'DeleteConflictException',
      status: 409,
    });
    await iam.send(
      new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'ip', RoleName: 'ip-role' }),
    );
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'ip' }));
    expect(
      await sdkFailure(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'ip' }))),
    ).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles).toEqual([]);
  });
});
