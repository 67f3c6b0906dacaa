import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderUserData } from '../../src/userdata/index.ts';

const deployment = {
  region: 'us-west-2',
  parameterNames: {
    table: '/resilient/demo/table',
    failureResponse: '/resilient/demo/failure-response',
    healthCheck: '/resilient/demo/health-check',
  },
};
const ROOT = new URL('../../', import.meta.url);
const script = renderUserData(deployment);

let tmp: string | undefined;
afterEach(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});
const scratch = () => {
  tmp = mkdtempSync(join(tmpdir(), 'resilient-boot-'));
  return tmp;
};

/** systemd-analyze verify on a unit file; its findings are on stderr (exit 0 even for some of them). */
function verifyUnit(text: string): { status: number | null; stderr: string } {
  const dir = scratch();
  const file = join(dir, 'resilient-server.service');
  writeFileSync(file, text);
  const run = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

describe('the boot script', () => {
  it('writes a systemd unit that systemd-analyze verify accepts without a finding', () => {
    const unit = /<<RESILIENT_UNIT\n([\s\S]*?)\nRESILIENT_UNIT/.exec(script)?.[1] ?? '';
    // The script expands ${NODE_BIN} when it writes the unit: here, this machine's node.
    const expanded = `${unit.replace(`$${'{NODE_BIN}'}`, process.execPath)}\n`;
    expect(verifyUnit(expanded)).toEqual({ status: 0, stderr: '' });
    // The check has teeth: a unit systemd cannot parse is reported.
    rmSync(tmp ?? '', { recursive: true, force: true });
    expect(verifyUnit(expanded.replace('Restart=on-failure', 'Restart=sometimes')).stderr).toContain(
      'Failed to parse service restart specifier',
    );
  });

  it('retries dnf and npm with backoff, and gives up after five attempts', () => {
    expect(script).toContain('\nretry dnf install -y nodejs22 nodejs22-npm\n');
    expect(script).toContain('\nretry "$NPM_BIN" ci --omit=dev --no-audit --no-fund --ignore-scripts\n');
    const retry = /^retry\(\) \{.*\}$/m.exec(script)?.[0] ?? '';
    expect(retry).not.toBe('');
    // `sleep` is recorded instead of waited for; the command fails twice, then succeeds.
    const dir = scratch();
    const succeeds = spawnSync(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        `${retry}\nsleep() { echo "slept $1" >> ${dir}/log; }\nflaky() { n=$(( $(cat ${dir}/n 2>/dev/null || echo 0) + 1 )); echo $n > ${dir}/n; [ $n -ge 3 ]; }\nretry flaky\necho ok`,
      ],
      { encoding: 'utf8' },
    );
    expect(succeeds.stdout.trim()).toBe('ok');
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('slept 5\nslept 10\n');
    const fails = spawnSync('bash', ['-c', `${retry}\nsleep() { :; }\nretry false; echo "exit $?"`], {
      encoding: 'utf8',
    });
    expect(fails.stdout.trim()).toBe('exit 1');
    expect(fails.stderr).toContain('resilient: gave up after 5 attempts: false');
  });

  it('installs the SDK clients with npm ci from a lockfile of exactly the versions this project locks', () => {
    expect(script).not.toMatch(/npm[^\n]* install /);
    const dir = scratch();
    const unpack = /base64 -d <<'RESILIENT_ARCHIVE'[\s\S]*?\nRESILIENT_ARCHIVE/.exec(script)?.[0] ?? '';
    const ran = spawnSync('bash', ['-euo', 'pipefail', '-c', unpack.replace('/opt/resilient/server', dir)], {
      encoding: 'utf8',
    });
    expect(ran.status).toBe(0);
    const shipped = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      lockfileVersion: number;
      packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
    };
    const ours = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(shipped.lockfileVersion).toBe(3);
    expect(shipped.packages['']?.dependencies).toEqual({
      '@aws-sdk/client-dynamodb': pkg.dependencies['@aws-sdk/client-dynamodb'],
      '@aws-sdk/client-ssm': pkg.dependencies['@aws-sdk/client-ssm'],
    });
    const entries = Object.entries(shipped.packages).filter(([key]) => key !== '');
    expect(entries.length).toBeGreaterThan(20);
    for (const [key, entry] of entries) expect(entry.version, key).toBe(ours.packages[key]?.version);
    // Closed: every dependency of every entry is itself locked (nested first, then hoisted).
    for (const [key, entry] of entries) {
      for (const dep of Object.keys(entry.dependencies ?? {})) {
        const nested = `${key}/node_modules/${dep}`;
        expect(
          shipped.packages[nested] ?? shipped.packages[`node_modules/${dep}`],
          `${key} → ${dep}`,
        ).toBeDefined();
      }
    }
  });
});
