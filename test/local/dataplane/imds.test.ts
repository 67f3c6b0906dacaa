import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../../../src/local/contracts.ts';
import { type ImdsServer, startImdsServer } from '../../../src/local/dataplane/imds-server.ts';
import { RoleCredentialCache } from '../../../src/local/dataplane/role-credentials.ts';
import { request } from '../../_support/dataplane-harness.ts';

const baseSpec: InstanceSpec = {
  instanceId: 'i-0imds',
  accountId: '123456789012',
  region: 'us-west-2',
  state: 'running',
  bootId: 1,
  workloadGeneration: 1,
  availabilityZone: 'us-west-2b',
  privateIpAddress: '10.0.0.7',
  userData: '',
  roleName: 'app-role',
  instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/app-profile',
  httpTokens: 'required',
};

describe('IMDSv2', () => {
  let imds: ImdsServer;
  let spec: InstanceSpec;
  let issued: string[];
  let now: number;

  beforeEach(async () => {
    spec = baseSpec;
    issued = [];
    now = Date.parse('2025-01-01T00:00:00Z');
    const credentials = new RoleCredentialCache(
      (role) => {
        if (role === 'deleted-role') throw new Error('NoSuchEntity');
        issued.push(role);
        return {
          accessKeyId: `ASIA${role.length}X${issued.length}`,
          secretAccessKey: 's',
          sessionToken: 't',
          expiration: now + 6 * 3600_000,
        };
      },
      5 * 60_000,
      () => now,
    );
    imds = await startImdsServer({
      region: 'us-west-2',
      spec: () => spec,
      credentials,
      now: () => now,
      launchedAt: now,
    });
  });
  afterEach(async () => {
    await imds.close();
  });

  const token = async (ttl = '21600'): Promise<string> => {
    const res = await request(imds.port, '/latest/api/token', {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
    });
    expect(res.status).toBe(200);
    return res.body;
  };
  const get = async (path: string, tok?: string) =>
    request(imds.port, path, tok === undefined ? {} : { headers: { 'x-aws-ec2-metadata-token': tok } });

  it('issues a token for a TTL of 1–21600 s and rejects a missing or out-of-range TTL with 400', async () => {
    expect((await token('1')).length).toBeGreaterThan(20);
    for (const ttl of ['0', '21601', 'abc', '']) {
      const res = await request(imds.port, '/latest/api/token', {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl },
      });
      expect(res.status).toBe(400);
    }
    expect((await request(imds.port, '/latest/api/token', { method: 'PUT' })).status).toBe(400);
  });

  it('refuses forwarded token requests and version-path tokens with 403', async () => {
    const headers = { 'x-aws-ec2-metadata-token-ttl-seconds': '60', 'x-forwarded-for': '1.2.3.4' };
    expect((await request(imds.port, '/latest/api/token', { method: 'PUT', headers })).status).toBe(403);
    const versioned = await request(imds.port, '/2021-03-23/api/token', {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    expect(versioned.status).toBe(403);
  });

  it('answers 401 without a token when HttpTokens=required, and serves IMDSv1 when optional', async () => {
    expect((await get('/latest/meta-data/instance-id')).status).toBe(401);
    expect((await get('/latest/meta-data/instance-id', 'forged')).status).toBe(401);
    spec = { ...spec, httpTokens: 'optional' };
    const v1 = await get('/latest/meta-data/instance-id');
    expect(v1).toMatchObject({ status: 200, body: 'i-0imds' });
  });

  it('serves identity, placement and local-ipv4, collapsing duplicate slashes', async () => {
    const tok = await token();
    expect((await get('/latest/meta-data/instance-id', tok)).body).toBe('i-0imds');
    expect((await get('//latest/meta-data/placement/availability-zone', tok)).body).toBe('us-west-2b');
    expect((await get('/latest/meta-data/placement/region', tok)).body).toBe('us-west-2');
    expect((await get('/latest/meta-data/local-ipv4', tok)).body).toBe('10.0.0.7');
  });

  it('serves iam/info, the role name and AWS-shaped credentials of the current role, cached per role', async () => {
    const tok = await token();
    const info = JSON.parse((await get('/latest/meta-data/iam/info', tok)).body);
    expect(info).toMatchObject({ Code: 'Success', InstanceProfileArn: baseSpec.instanceProfileArn });
    expect(info.InstanceProfileId).toMatch(/^AIPA[0-9A-F]{17}$/);
    expect((await get('/latest/meta-data/iam/security-credentials/', tok)).body).toBe('app-role');
    const raw = (await get('/latest/meta-data/iam/security-credentials/app-role', tok)).body;
    expect(raw).toContain('"Code" : "Success"');
    const doc = JSON.parse(raw);
    expect(Object.keys(doc)).toEqual([
      'Code',
      'LastUpdated',
      'Type',
      'AccessKeyId',
      'SecretAccessKey',
      'Token',
      'Expiration',
    ]);
    expect(doc).toMatchObject({ Type: 'AWS-HMAC', Expiration: '2025-01-01T06:00:00Z' });
    const again = JSON.parse((await get('/latest/meta-data/iam/security-credentials/app-role', tok)).body);
    expect(again.AccessKeyId).toBe(doc.AccessKeyId);
    expect(issued).toEqual(['app-role']);
    // Close to expiry (inside the five-minute margin), IMDS hands out a fresh session.
    now += 6 * 3600_000 - 4 * 60_000;
    const rotated = JSON.parse(
      (await get('/latest/meta-data/iam/security-credentials/app-role', await token())).body,
    );
    expect(rotated.AccessKeyId).not.toBe(doc.AccessKeyId);
    // A replaced profile shows its role at once; the old role's path is gone.
    spec = { ...spec, roleName: 'bc-role' };
    const tok2 = await token();
    expect((await get('/latest/meta-data/iam/security-credentials/', tok2)).body).toBe('bc-role');
    expect((await get('/latest/meta-data/iam/security-credentials/app-role', tok2)).status).toBe(404);
  });

  it('serves the AssumeRoleUnauthorizedAccess document when no session can be issued', async () => {
    spec = { ...spec, roleName: 'deleted-role' };
    const doc = JSON.parse(
      (await get('/latest/meta-data/iam/security-credentials/deleted-role', await token())).body,
    );
    expect(doc.Code).toBe('AssumeRoleUnauthorizedAccess');
  });

  it('answers 404 for unknown items and iam paths without a role, 405 for other methods', async () => {
    const tok = await token();
    const missing = await get('/latest/meta-data/nope', tok);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<title>404 - Not Found</title>');
    spec = { ...spec, roleName: undefined, instanceProfileArn: undefined };
    expect((await get('/latest/meta-data/iam/security-credentials/', tok)).status).toBe(404);
    const post = await request(imds.port, '/latest/meta-data/instance-id', {
      method: 'POST',
      headers: { 'x-aws-ec2-metadata-token': tok },
    });
    expect(post.status).toBe(405);
  });

  it('answers a malformed request with 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(imds.port, '127.0.0.1', () =>
        socket.write('GARBAGE \x00\x01 nonsense\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (c: Buffer) => {
        data += c.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await get('/latest/meta-data/instance-id', await token())).status).toBe(200);
  });
});
