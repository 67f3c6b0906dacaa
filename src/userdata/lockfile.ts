import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT, PACKAGE_ROOT } from '../package-root.ts';
import { SERVER_PACKAGES } from './server-files.ts';

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/**
 * The `package-lock.json` the instance installs from (`npm ci`): the two SDK clients and everything
 * they pull in (31 packages), at exactly the versions of this project's own lockfile, so an instance
 * booted months later gets the tree the tests ran against — not whatever the SDK's caret ranges on
 * `@smithy/*` resolve to that day. Entries are found the way Node resolves them: a nested
 * `node_modules` first, then the hoisted one.
 *
 * Without `integrity`: the 31 sha512 hashes are incompressible and, base64 inside base64, would add
 * 3.5 KB — past EC2's 16 KB user-data limit (the script is 12.2 KB). npm still checks each tarball
 * against the registry's own hash; pinning the bytes ourselves needs the lockfile shipped out of band
 * (an S3 object), which is left for later.
 */
export function serverLockfile(name: string, dependencies: Readonly<Record<string, string>>): string {
  // The npm package carries its production entries in dist/ (npm never packs the root lockfile).
  const file = BUILT
    ? join(PACKAGE_ROOT, 'dist', 'package-lock.json')
    : join(PACKAGE_ROOT, 'package-lock.json');
  const lock = JSON.parse(readFileSync(file, 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const needed = new Map<string, LockEntry>();
  const visit = (pkg: string, from: string): void => {
    for (let dir = from; ; ) {
      const key = `${dir === '' ? '' : `${dir}/`}node_modules/${pkg}`;
      const entry = lock.packages[key];
      if (entry !== undefined) {
        if (needed.has(key)) return;
        needed.set(key, entry);
        for (const dep of Object.keys(entry.dependencies ?? {})) visit(dep, key);
        return;
      }
      if (dir === '') throw new Error(`package-lock.json has no entry for ${pkg} (needed by the server)`);
      const up = dir.lastIndexOf('/node_modules/');
      dir = up < 0 ? '' : dir.slice(0, up);
    }
  };
  for (const pkg of SERVER_PACKAGES) visit(pkg, '');
  const packages: Record<string, unknown> = { '': { name, dependencies } };
  for (const [key, entry] of [...needed].sort(([a], [b]) => a.localeCompare(b))) {
    packages[key] = {
      version: entry.version,
      ...(entry.dependencies === undefined ? {} : { dependencies: entry.dependencies }),
    };
  }
  return JSON.stringify({ name, lockfileVersion: 3, requires: true, packages });
}
