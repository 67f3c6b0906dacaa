#!/usr/bin/env node
// The only JavaScript entry point: everything else is TypeScript run by Node's own type stripping
// (Node >= 22.18), so there is no build step between an edit and a run.
import { enableCompileCache } from 'node:module';

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`resilient needs Node.js >= 22.18 (24 recommended); this is ${process.version}\n`);
  process.exit(1);
}
enableCompileCache?.();
await import('./main.ts');
