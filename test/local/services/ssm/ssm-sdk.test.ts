import {
  DeleteParameterCommand,
  DeleteParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartsWorkload } from '../../../../src/local/services/ssm/model.ts';
import { startCloud } from '../../../_support/fake-local-cloud.ts';
import type { TestLocalCloud } from '../../../_support/local-cloud.ts';
import { localClient } from '../../../_support/local-cloud.ts';

let local: TestLocalCloud;
let ssm: SSMClient;

beforeAll(async () => {
  local = await startCloud();
  ssm = localClient(SSMClient, local);
});
afterAll(async () => {
  ssm?.destroy();
  await local?.close();
});

describe('SSM over the wire', () => {
  it('versions parameters, refuses overwriting without Overwrite, and lists missing names', async () => {
    const first = await ssm.send(
      new PutParameterCommand({ Name: '/resilient/t/table', Value: 'tbl', Type: 'String' }),
    );
    expect(first.Version).toBe(1);
    await expect(
      ssm.send(new PutParameterCommand({ Name: '/resilient/t/table', Value: 'x', Type: 'String' })),
    ).rejects.toMatchObject({ name: 'ParameterAlreadyExists' });
    const second = await ssm.send(
      new PutParameterCommand({ Name: '/resilient/t/table', Value: 'x', Overwrite: true }),
    );
    expect(second.Version).toBe(2);
    const got = await ssm.send(new GetParameterCommand({ Name: '/resilient/t/table' }));
    expect(got.Parameter).toMatchObject({ Value: 'x', Version: 2, Type: 'String' });
    expect(got.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    await ssm.send(
      new PutParameterCommand({ Name: '/resilient/t/health-check', Value: 'shallow', Type: 'String' }),
    );
    const many = await ssm.send(
      new GetParametersCommand({
        Names: ['/resilient/t/table', '/resilient/t/health-check', '/resilient/t/missing'],
      }),
    );
    expect(many.Parameters?.map((p) => p.Value)).toEqual(['x', 'shallow']);
    expect(many.InvalidParameters).toEqual(['/resilient/t/missing']);
    const byPath = await ssm.send(new GetParametersByPathCommand({ Path: '/resilient/t' }));
    expect(byPath.Parameters?.map((p) => p.Name)).toEqual([
      '/resilient/t/health-check',
      '/resilient/t/table',
    ]);
    await expect(
      ssm.send(new PutParameterCommand({ Name: 'a/b', Value: 'v', Type: 'String' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await ssm.send(new DeleteParameterCommand({ Name: '/resilient/t/table' }));
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/resilient/t/table' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
    const deleted = await ssm.send(
      new DeleteParametersCommand({ Names: ['/resilient/t/health-check', 'nope'] }),
    );
    expect(deleted).toMatchObject({
      DeletedParameters: ['/resilient/t/health-check'],
      InvalidParameters: ['nope'],
    });
  });

  it('keeps SecureString values encrypted unless WithDecryption', async () => {
    await ssm.send(new PutParameterCommand({ Name: 'secret', Value: 'hunter2', Type: 'SecureString' }));
    expect((await ssm.send(new GetParameterCommand({ Name: 'secret' }))).Parameter?.Value).not.toBe(
      'hunter2',
    );
    expect(
      (await ssm.send(new GetParameterCommand({ Name: 'secret', WithDecryption: true }))).Parameter?.Value,
    ).toBe('hunter2');
  });

  it('resolves the public Amazon Linux AMI parameters to the local image', async () => {
    for (const name of [
      '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2',
    ]) {
      expect((await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value).toBe(
        'ami-0a1b2c3d4e5f60718',
      );
    }
    await expect(ssm.send(new GetParameterCommand({ Name: '/aws/service/nothing' }))).rejects.toMatchObject({
      name: 'ParameterNotFound',
    });
  });

  it('refuses commands for instances that are not managed', async () => {
    await expect(
      ssm.send(
        new SendCommandCommand({
          InstanceIds: ['i-0123456789abcdef0'],
          DocumentName: 'AWS-RunShellScript',
          Parameters: { commands: ['echo'] },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidInstanceId' });
  });

  it('recognises commands that restart the server', () => {
    expect(restartsWorkload(['sudo systemctl restart resilient'])).toBe(true);
    expect(restartsWorkload(['cd / && sudo python3 server.py 80'])).toBe(true);
    expect(restartsWorkload(['echo hello', 'uptime'])).toBe(false);
  });
});
