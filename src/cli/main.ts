/** Process entry (loaded by bin.js): run the CLI and hand its exit code to Node. */
import { runCli } from './run-cli.ts';

process.exitCode = await runCli(process.argv.slice(2));
