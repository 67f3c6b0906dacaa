#!/usr/bin/env node
// `node src/cli/with-node.js <command> [args…]`: runs a development command (tsc, biome, vitest, the
// bench) with a Node >= 22.18 first on PATH, so `npm run check` works where the system Node is older
// (see node-runtime.js: Node 24 is fetched once into the user's cache, and one line says so).
import { newEnough, provideNode, runWith } from './node-runtime.js';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  process.stderr.write('usage: node src/cli/with-node.js <command> [args...]\n');
  process.exit(2);
}
if (newEnough(process.versions.node)) {
  runWith({ node: process.execPath, binDir: undefined }, command, args);
} else {
  const provided = provideNode();
  if (!provided.fetched) {
    process.stderr.write(
      `resilient: Node.js ${process.version} is older than the 22.18 these tools need: running '${command}' with Node ${provided.version} from ${provided.binDir}\n`,
    );
  }
  runWith(provided, command, args);
}
