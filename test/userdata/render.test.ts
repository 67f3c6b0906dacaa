import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RECOMMENDATIONS } from '../../resources/recommendations.ts';
import {
  parseServerEnv,
  renderUserData,
  serverEnvironment,
  USER_DATA_LIMIT_BYTES,
} from '../../src/userdata/index.ts';
import { compact, serverFiles } from '../../src/userdata/server-files.ts';
import { type AwsStub, parametersFrom, startAwsStub } from '../_support/aws-stub.ts';
import { type ImdsStub, startImdsStub } from '../_support/imds-stub.ts';
import { getItemFrom, IDENTITY } from '../_support/server-harness.ts';

const deployment = {
  region: 'us-west-2',
  parameterNames: {
    table: '/resilient/demo/table',
    failureResponse: '/resilient/demo/failure-response',
    healthCheck: '/resilient/demo/health-check',
  },
};
const ROOT = new URL('../../', import.meta.url);

let child: ChildProcess | undefined;
let tmp: string | undefined;
let aws: AwsStub | undefined;
let imds: ImdsStub | undefined;
afterEach(async () => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
  await aws?.close();
  await imds?.close();
  aws = undefined;
  imds = undefined;
});

describe('user data', () => {
  it('fits in 16 KB and is valid bash', () => {
    const script = renderUserData(deployment);
    expect(Buffer.byteLength(script)).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('installs Node.js 22 and the two SDK clients at the versions pinned in package.json', () => {
    const script = renderUserData(deployment);
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(script).toContain('dnf install -y nodejs22 nodejs22-npm');
    const shipped = /cat > \/opt\/resilient\/server\/package\.json <<'RESILIENT_FILE'\n(.*)\n/.exec(
      script,
    )?.[1];
    expect(JSON.parse(shipped ?? '{}')).toMatchObject({
      type: 'module',
      dependencies: {
        '@aws-sdk/client-ssm': pkg.dependencies['@aws-sdk/client-ssm'],
        '@aws-sdk/client-dynamodb': pkg.dependencies['@aws-sdk/client-dynamodb'],
      },
    });
    expect(script).toContain('ci --omit=dev');
  });

  it('writes the server environment in the exactly delimited heredoc, and parseServerEnv round-trips it', () => {
    const script = renderUserData(deployment);
    expect(script).toContain(
      "cat > /etc/resilient/server.env <<'RESILIENT_ENV'\nRESILIENT_PORT=80\nRESILIENT_HOST=0.0.0.0\nRESILIENT_TABLE_PARAMETER=/resilient/demo/table\n",
    );
    expect(parseServerEnv(script)).toEqual(serverEnvironment(deployment));
    expect(parseServerEnv(script)).toMatchObject({ AWS_REGION: 'us-west-2', RESILIENT_PORT: '80' });
  });

  it('parseServerEnv returns nothing for user data without a complete block', () => {
    expect(parseServerEnv('#!/bin/bash\necho hi\n')).toEqual({});
    expect(parseServerEnv("cat > /etc/resilient/server.env <<'RESILIENT_ENV'\nA=1\n")).toEqual({});
    expect(parseServerEnv('')).toEqual({});
  });

  it('refuses parameter names that could break out of the heredoc', () => {
    const hostile = { ...deployment.parameterNames, table: '/x\nRESILIENT_ENV\nrm -rf /' };
    expect(() => renderUserData({ ...deployment, parameterNames: hostile })).toThrow(/characters/);
  });

  it('runs the server as an unprivileged systemd service that binds port 80 and restarts on failure', () => {
    const script = renderUserData(deployment);
    const unit = /<<RESILIENT_UNIT\n([\s\S]*?)\nRESILIENT_UNIT/.exec(script)?.[1] ?? '';
    for (const line of [
      'User=resilient',
      'AmbientCapabilities=CAP_NET_BIND_SERVICE',
      'Restart=on-failure',
      'WantedBy=multi-user.target',
      'EnvironmentFile=/etc/resilient/server.env',
      `ExecStart=\${NODE_BIN} /opt/resilient/server/main.js`,
    ]) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(script).toContain('useradd --system --no-create-home --shell /sbin/nologin resilient');
    expect(script).toContain('systemctl enable --now resilient-server.service');
  });

  it('ships a server whose unpacked JavaScript really serves requests', async () => {
    const script = renderUserData(deployment);
    tmp = mkdtempSync(join(tmpdir(), 'resilient-userdata-'));
    // Run the script's own unpack step (base64 | tar) into a scratch directory.
    const unpack = /base64 -d <<'RESILIENT_ARCHIVE'[\s\S]*?\nRESILIENT_ARCHIVE/.exec(script)?.[0] ?? '';
    const ran = spawnSync('bash', ['-euo', 'pipefail', '-c', unpack.replace('/opt/resilient/server', tmp)], {
      encoding: 'utf8',
    });
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    symlinkSync(new URL('node_modules', ROOT).pathname, join(tmp, 'node_modules'));

    aws = await startAwsStub();
    imds = await startImdsStub(IDENTITY);
    aws.on(
      'GetParameters',
      parametersFrom(() => ({ '/resilient/demo/table': 'recommendations' })),
    );
    aws.on('GetItem', getItemFrom(RECOMMENDATIONS));
    const proc = spawn(process.execPath, [join(tmp, 'main.js'), '--port', '0', '--host', '127.0.0.1'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: tmp,
        ...parseServerEnv(script),
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error('shipped server did not listen within 20 s')),
        20_000,
      );
      let out = '';
      proc.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const match = /"msg":"listening","port":(\d+)/.exec(out);
        if (match) {
          clearTimeout(deadline);
          resolve(Number(match[1]));
        }
      });
      void exited.then((code) => reject(new Error(`shipped server exited with ${code}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    const { Metadata, ...item } = (await res.json()) as Record<string, unknown>;
    expect(RECOMMENDATIONS).toContainEqual(item);
    expect(Metadata).toEqual({ InstanceId: IDENTITY.instanceId, AvailabilityZone: IDENTITY.zone });
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('shipped server files', () => {
  it("are rendered without printing Node's experimental-feature warning into the CLI output", () => {
    const script = `import('./src/userdata/render.ts').then((m) => m.renderUserData(${JSON.stringify(deployment)}))`;
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('.', ROOT).pathname,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(ran.status).toBe(0);
    expect(ran.stderr).toBe('');
  });

  it('are plain JavaScript importing only built-ins, the two SDK clients and each other (.js)', () => {
    const files = serverFiles();
    expect(files.map((f) => f.name)).toContain('main.js');
    for (const file of files) {
      for (const [, specifier] of file.content.matchAll(/from\s*['"]([^'"]+)['"]/g)) {
        expect(specifier).toMatch(/^(node:|\.\/[\w-]+\.js$|@aws-sdk\/client-(ssm|dynamodb)$)/);
      }
      expect(file.content).not.toMatch(/^\s*(\/\/|\/\*)/m);
    }
  });

  it('compaction drops whole-line comments and blank lines but keeps code with inline comments', () => {
    const code =
      '/**\n * doc\n */\nconst a = 1; // why\n\n  // note\nconst b = "//not a comment";   \n/* one */\n';
    expect(compact(code)).toBe('const a = 1; // why\nconst b = "//not a comment";\n');
  });
});
