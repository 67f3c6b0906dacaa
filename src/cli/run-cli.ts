/**
 * The CLI from argv to exit code: parse, show help or lazily load the command, run it, and map any
 * failure to an exit code through `exitCodeOf` (inside `reportError`), the one place that does it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.ts';
import { commandHelp, groupHelp, mainHelp } from './help.ts';
import { type Io, processIo } from './io.ts';
import { parseInvocation } from './parse.ts';
import { reportError } from './report-error.ts';

export function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string'
    ? pkg.version
    : '0.0.0';
}

export async function runCli(
  argv: readonly string[],
  makeIo: (noColor: boolean) => Io = processIo,
): Promise<number> {
  const io = makeIo(argv.includes('--no-color'));
  let command: string | undefined;
  try {
    const invocation = parseInvocation(argv);
    switch (invocation.kind) {
      case 'main-help':
        io.out.write(mainHelp(version(), io.style));
        return 0;
      case 'version':
        io.line(version());
        return 0;
      case 'group-help':
        io.out.write(groupHelp(invocation.group, io.style));
        return 0;
      case 'help':
        io.out.write(commandHelp(invocation.spec, io.style));
        return 0;
      case 'run': {
        command = invocation.spec.name;
        const module = await invocation.spec.load();
        await module.run({ io, values: invocation.values, positionals: invocation.positionals, command });
        return 0;
      }
    }
  } catch (error: unknown) {
    return reportError(io, error, command);
  }
}
