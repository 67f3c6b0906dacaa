import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
};

/** Every version of each package the lockfile installs, wherever it is nested. */
function versions(match: RegExp): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [key, entry] of Object.entries(lock.packages)) {
    const at = key.lastIndexOf('node_modules/');
    if (at < 0 || entry.version === undefined) continue;
    const name = key.slice(at + 'node_modules/'.length);
    if (!match.test(name)) continue;
    found.set(name, (found.get(name) ?? new Set()).add(entry.version));
  }
  return found;
}

describe('one AWS SDK core for every client', () => {
  it('installs exactly one version of every @aws-sdk and @smithy package the clients share', () => {
    // Two copies of @aws-sdk/core or @smithy/smithy-client would give clients different middleware,
    // retry and signing code, and `instanceof` checks on their errors would fail across them.
    const duplicated = [...versions(/^@(aws-sdk|smithy|aws-crypto)\//)]
      .filter(([, v]) => v.size > 1)
      .map(([name, v]) => `${name}: ${[...v].join(', ')}`);
    expect(duplicated).toEqual([]);
  });

  it('declares @smithy/node-http-handler, which src/aws/config.ts imports, at the version the clients use', () => {
    const declared = pkg.dependencies['@smithy/node-http-handler'];
    expect(declared).toBeDefined();
    expect(lock.packages['node_modules/@smithy/node-http-handler']?.version).toBe(declared);
  });

  it('pins every client exactly (no ranges), so the lockfile is the whole story', () => {
    const clients = Object.entries(pkg.dependencies).filter(([name]) => name.startsWith('@aws-sdk/client-'));
    expect(clients.length).toBe(7);
    for (const [name, version] of clients) expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
