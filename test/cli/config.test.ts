import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRunOptions } from '../../src/cli/run-options.ts';
import { baseEnv, killLeftovers, spawnCli, type TempDir, tempDir } from '../_support/cli.ts';

let config: TempDir;
beforeEach(() => {
  config = tempDir();
});
afterEach(() => {
  killLeftovers();
  config.remove();
});

const cli = (...args: string[]) => spawnCli(args, { env: baseEnv(config.path) });

describe('config', () => {
  it('set stores a validated value in the config dir, get prints it, unset forgets it', async () => {
    expect((await cli('config', 'set', 'target', 'aws')).code).toBe(0);
    expect((await cli('config', 'set', 'timeScale', '0.5')).code).toBe(0);
    const file = JSON.parse(readFileSync(path.join(config.path, 'config.json'), 'utf8'));
    expect(file).toEqual({ target: 'aws', timeScale: 0.5 });
    expect((await cli('config', 'get', 'target')).stdout).toBe('aws\n');
    expect((await cli('config', 'get', 'timeScale')).stdout).toBe('0.5\n');
    expect((await cli('config', 'get', 'region')).stdout).toBe('');
    expect((await cli('config', 'unset', 'target')).code).toBe(0);
    expect((await cli('config', 'get', 'target')).stdout).toBe('');
  });

  it('rejects invalid values with exit 2 and leaves the file untouched', async () => {
    await cli('config', 'set', 'name', 'prod');
    const bad = await cli('config', 'set', 'name', 'Prod!');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("name 'Prod!' is not a valid deployment name");
    expect((await cli('config', 'get', 'name')).stdout).toBe('prod\n');
  });

  it('list --json shows every setting, stored or default, and the file', async () => {
    await cli('config', 'set', 'region', 'eu-west-1');
    const result = await cli('config', 'list', '--json');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.path).toBe(path.join(config.path, 'config.json'));
    expect(doc.settings).toEqual([
      { key: 'target', value: 'local', source: 'default' },
      { key: 'region', value: 'eu-west-1', source: 'stored' },
      { key: 'name', value: 'demo', source: 'default' },
      { key: 'timeScale', value: 1, source: 'default' },
    ]);
    const text = await cli('config', 'list');
    expect(text.stdout).toMatch(/region\s+eu-west-1\n/);
    expect(text.stdout).toMatch(/name\s+demo \(default\)\n/);
  });

  it('a hand-edited invalid value is reported with how to fix it, not used', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(config.path, 'config.json'), JSON.stringify({ target: 'mars' }));
    const result = await cli('config', 'list');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the setting target="mars"');
    expect(result.stderr).toContain('resilient config set target');
  });
});

describe('precedence: flags > settings > defaults', () => {
  it('uses the defaults when nothing is set', () => {
    const o = mergeRunOptions({}, {}, {});
    expect(o).toMatchObject({
      target: 'local',
      name: 'demo',
      region: 'us-west-2',
      timeScale: 1,
      yes: false,
      keep: false,
    });
  });

  it('settings override the defaults, flags override the settings', () => {
    const settings = { target: 'local', name: 'stored', region: 'eu-west-1', timeScale: 0.5 } as const;
    expect(mergeRunOptions({}, settings, {})).toMatchObject(settings);
    expect(
      mergeRunOptions({ target: 'aws', name: 'flag', region: 'ap-south-1' }, settings, {}),
    ).toMatchObject({ target: 'aws', name: 'flag', region: 'ap-south-1', timeScale: 1 });
    expect(mergeRunOptions({ 'time-scale': '0.1' }, settings, {}).timeScale).toBe(0.1);
  });

  it('on aws without a flag or a setting, AWS_REGION decides (else the SDK chain)', () => {
    expect(mergeRunOptions({ target: 'aws' }, {}, { AWS_REGION: 'sa-east-1' }).region).toBe('sa-east-1');
    expect(mergeRunOptions({ target: 'aws' }, {}, {}).region).toBeUndefined();
  });
});
