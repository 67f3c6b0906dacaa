// `npm run build` (run by prepack), after tsc: copies the files the built JavaScript reads next to
// itself at run time — stylesheets, browser scripts, JSON schemas, anything in src/, machines/ or
// resources/ that is not TypeScript — into dist/ at the same place, because tsc emits only what it
// compiles. Documentation (*.md, *.txt) and the launchers in src/cli/ (shipped as they are) stay out.
// Also the lockfile's production entries as dist/package-lock.json: user data pins the instance's SDK
// clients to this project's exact tree (src/userdata/lockfile.ts), and npm never packs the root one.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const skip = (file) =>
  /\.(ts|md|txt)$/.test(file) ||
  dirname(relative(root, file)) === join('src', 'cli') ||
  file.endsWith('package-build.js');

let copied = 0;
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (!skip(path)) {
      const target = join(root, 'dist', relative(root, path));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(path, target);
      copied += 1;
    }
  }
};
for (const top of ['src', 'machines', 'resources']) walk(join(root, top));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
lock.packages = Object.fromEntries(Object.entries(lock.packages).filter(([, entry]) => entry.dev !== true));
writeFileSync(join(root, 'dist', 'package-lock.json'), `${JSON.stringify(lock)}\n`);
process.stdout.write(`build: ${copied} non-TypeScript files copied into dist/\n`);
