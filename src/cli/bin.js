#!/usr/bin/env node
// The CLI's entry point, in JavaScript that any Node parses: it checks the Node version before
// anything newer is imported. Node >= 22.18 runs the CLI here; an older Node hands over to Node 24
// (fetched once into the user's cache, one line on stderr says so) or prints one line saying what to
// do — never a stack trace. A checkout runs the TypeScript directly (Node's own type stripping, no
// build step); the npm package runs the JavaScript that `prepack` builds into dist/, because Node does
// not strip types under node_modules.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newEnough, provideNode, runWith } from './node-runtime.js';

if (newEnough(process.versions.node)) {
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const source = new URL('./main.ts', import.meta.url);
  const fromSource = existsSync(fileURLToPath(source)) && !fileURLToPath(source).includes('/node_modules/');
  await import(fromSource ? source.href : new URL('../../dist/src/cli/main.js', import.meta.url).href);
} else {
  const provided = provideNode();
  if (!provided.fetched) {
    process.stderr.write(
      `resilient: Node.js ${process.version} is older than the 22.18 resilient needs: running it with Node ${provided.version} from ${provided.binDir}\n`,
    );
  }
  runWith(provided, provided.node, [
    ...process.execArgv,
    fileURLToPath(import.meta.url),
    ...process.argv.slice(2),
  ]);
}
