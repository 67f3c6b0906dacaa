import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createControlClient } from '../../../src/local/control/client.ts';
import { localClient, startTestLocalCloud, type TestLocalCloud } from '../../_support/local-cloud.ts';
import { send, signRequest } from '../../_support/signed-request.ts';

const STS_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
let local: TestLocalCloud;

beforeAll(async () => {
  local = await startTestLocalCloud({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await local.close();
});

const code = (xml: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

async function signed(overrides: Partial<Parameters<typeof signRequest>[0]> = {}) {
  return signRequest({
    endpoint: local.endpoint,
    region: local.region,
    service: 'sts',
    credentials: local.credentials,
    body: STS_BODY,
    ...overrides,
  });
}

describe('SigV4 verification', () => {
  it('accepts a correctly signed request and returns x-amzn-RequestId in the header and the body', async () => {
    const { url, headers } = await signed();
    const res = await send(url, headers, STS_BODY);
    expect(res.status).toBe(200);
    const id = res.headers.get('x-amzn-requestid') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.text).toContain(`<RequestId>${id}</RequestId>`);
  });

  it('answers MissingAuthenticationToken (query) and MissingAuthenticationTokenException (JSON) when unsigned', async () => {
    const q = await send(
      `${local.endpoint}/`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      STS_BODY,
    );
    expect([q.status, code(q.text)]).toEqual([403, 'MissingAuthenticationToken']);
    const j = await send(
      `${local.endpoint}/`,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      '{}',
    );
    expect(j.status).toBe(400);
    expect(JSON.parse(j.text).__type).toBe('MissingAuthenticationTokenException');
  });

  it('answers IncompleteSignature for a malformed Authorization header', async () => {
    const res = await send(
      `${local.endpoint}/`,
      {
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-west-2/sts',
        'content-type': 'application/x-www-form-urlencoded',
      },
      STS_BODY,
    );
    expect([res.status, code(res.text)]).toEqual([400, 'IncompleteSignature']);
  });

  it('answers InvalidClientTokenId (query) / UnrecognizedClientException (JSON) for an unknown key', async () => {
    const sts = localClient(STSClient, local, {
      credentials: { accessKeyId: 'AKIANOTKNOWN0000000', secretAccessKey: 'x' },
    });
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
    const { url, headers } = await signed({
      service: 'dynamodb',
      credentials: { accessKeyId: 'AKIANOTKNOWN0000000', secretAccessKey: 'x' },
      body: '{}',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
      },
    });
    const res = await send(url, headers, '{}');
    expect(JSON.parse(res.text).__type).toBe('UnrecognizedClientException');
  });

  it('answers SignatureDoesNotMatch for a wrong secret', async () => {
    const iam = localClient(IAMClient, local, {
      credentials: { accessKeyId: local.credentials.accessKeyId, secretAccessKey: 'wrong-secret' },
    });
    await expect(iam.send(new GetRoleCommand({ RoleName: 'x' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('rejects a tampered body sent with the original content hash header', async () => {
    const { url, headers } = await signed();
    const res = await send(url, headers, 'Action=GetCallerIdentity&Version=2011-06-15&Extra=1');
    expect([res.status, code(res.text)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('rejects a request signed more than 15 minutes ago, as AWS does', async () => {
    const { url, headers } = await signed({ signingDate: new Date(Date.now() - 20 * 60_000) });
    const res = await send(url, headers, STS_BODY);
    expect([res.status, code(res.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(res.text).toContain('Signature expired');
  });
});

describe('routing and validation', () => {
  it('answers InvalidAction for an unknown query action and UnknownOperationException for an unknown JSON target', async () => {
    const body = 'Action=NoSuchThing&Version=2011-06-15';
    const { url, headers } = await signed({ body });
    const res = await send(url, headers, body);
    expect([res.status, code(res.text)]).toEqual([400, 'InvalidAction']);
    const j = await signed({
      service: 'dynamodb',
      body: '{}',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.NoSuchThing',
      },
    });
    const jr = await send(j.url, j.headers, '{}');
    expect(jr.text).toContain('UnknownOperationException');
  });

  it('refuses bodies over the cap with a 413 AWS error', async () => {
    const big = `Action=GetCallerIdentity&Version=2011-06-15&Pad=${'x'.repeat(70 * 1024)}`;
    const { url, headers } = await signed({ body: big });
    const res = await send(url, headers, big);
    expect([res.status, code(res.text)]).toEqual([413, 'RequestEntityTooLarge']);
  });

  it('answers ValidationError for a non-numeric integer member', async () => {
    const body = 'Action=ListRoles&Version=2010-05-08&MaxItems=lots';
    const { url, headers } = await signed({ service: 'iam', body });
    const res = await send(url, headers, body);
    expect([res.status, code(res.text)]).toEqual([400, 'ValidationError']);
    expect(res.text).toContain("at 'maxItems'");
  });
});

describe('control route and API faults', () => {
  it('requires the admin secret, and injects throttling that the SDK sees as Throttling', async () => {
    const anonymous = await fetch(`${local.endpoint}/_local/faults/api`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    const control = createControlClient({
      endpoint: local.endpoint,
      adminSecret: local.credentials.secretAccessKey,
    });
    expect((await control.health()).status).toBe('ok');
    await control.setApiFaults({ throttleRate: 1, errorRate: 0 });
    try {
      const sts = localClient(STSClient, local);
      await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'Throttling',
        $metadata: { httpStatusCode: 400 },
      });
      await control.setApiFaults({ throttleRate: 0, errorRate: 1 });
      const err = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
      expect(['InternalFailure', 'ServiceUnavailable']).toContain((err as Error).name);
    } finally {
      await control.setApiFaults({ throttleRate: 0, errorRate: 0 });
    }
    await expect(localClient(STSClient, local).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });
});

describe('fuzzing the gateway', () => {
  const CONTENT_TYPES = [
    'application/x-www-form-urlencoded',
    'application/x-amz-json-1.0',
    'application/x-amz-json-1.1',
    'text/plain',
    '',
  ];
  const AUTHS = fc.oneof(
    fc.constant(undefined),
    fc.string(),
    fc.string().map((s) => `AWS4-HMAC-SHA256 ${s}`),
    fc.constant(
      'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-west-2/sts/aws4_request, SignedHeaders=host, Signature=zz',
    ),
  );
  const BODIES = fc.oneof(
    fc.string(),
    fc.uint8Array({ maxLength: 2048 }),
    fc.constantFrom(
      'Action=&Version=',
      'Action=GetCallerIdentity',
      '{"TableName":',
      '%%%&&&==',
      '{}',
      'null',
    ),
  );

  it('answers random unsigned or garbage-signed requests with an AWS error and keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        AUTHS,
        BODIES,
        fc.constantFrom(...CONTENT_TYPES),
        fc.option(fc.string()),
        async (auth, body, type, target) => {
          const headers: Record<string, string> = {};
          if (type !== '') headers['content-type'] = type;
          if (auth !== undefined && /^[\t\x20-\x7e]*$/.test(auth)) headers.authorization = auth;
          if (target !== null && /^[\t\x20-\x7e]*$/.test(target)) headers['x-amz-target'] = target;
          const res = await send(`${local.endpoint}/`, headers, body);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
          const isJson = (res.headers.get('content-type') ?? '').includes('json');
          if (isJson) expect(JSON.parse(res.text).__type).toMatch(/Exception$/);
          else expect(code(res.text)).toMatch(/^[A-Za-z]+$/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers signed requests with random form fields with a well-formed response', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('iam', 'sts', 'ec2', 'elasticloadbalancing'),
        fc.constantFrom(
          'ListRoles',
          'GetRole',
          'CreateRole',
          'AssumeRole',
          'DescribeInstances',
          'DescribeTargetGroups',
          '',
        ),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), {
          maxKeys: 6,
        }),
        async (service, action, fields) => {
          const form = new URLSearchParams({ ...fields, Action: action, Version: '2010-05-08' });
          const body = form.toString();
          const { url, headers } = await signed({ service, body });
          const res = await send(url, headers, body);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
          if (res.status >= 400) expect(code(res.text)).toMatch(/^[A-Za-z.]+$/);
        },
      ),
      { numRuns: 150 },
    );
    await expect(localClient(STSClient, local).send(new GetCallerIdentityCommand({}))).resolves.toBeDefined();
  });
});
