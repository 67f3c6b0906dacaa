import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules, stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.ts';

/** The only packages the server may import besides node built-ins (they are installed on the instance). */
export const SERVER_PACKAGES = ['@aws-sdk/client-ssm', '@aws-sdk/client-dynamodb'] as const;

export interface ServerFile {
  /** File name under /opt/resilient/server, e.g. `app.js`. */
  readonly name: string;
  readonly content: string;
}

// The TypeScript sources, also in the npm package (which runs dist/ but ships src/server/*.ts for this).
const SERVER_DIR = pathToFileURL(join(PACKAGE_ROOT, 'src', 'server', '/'));
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"]+)\2/g;

/**
 * The files of `src/server` as plain JavaScript for the instance: types stripped by Node's own
 * `module.stripTypeScriptTypes` (so what runs on EC2 is what runs here, line for line) and relative
 * `.ts` specifiers rewritten to `.js`. Refuses any import outside node built-ins, the two SDK clients
 * and `src/server` itself, since nothing else is installed on the instance.
 */
export function serverFiles(): ServerFile[] {
  const names = readdirSync(SERVER_DIR)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort();
  return names.map((name) => {
    const source = readFileSync(new URL(name, SERVER_DIR), 'utf8');
    const code = quietly(() => stripTypeScriptTypes(source, { mode: 'strip' })).replace(
      SPECIFIER,
      (whole, prefix: string, quote: string, specifier: string) => {
        if (specifier.startsWith('./')) {
          if (!specifier.endsWith('.ts') || specifier.slice(2).includes('/')) {
            throw new Error(`src/server/${name} imports ${specifier}: only sibling .ts files can be shipped`);
          }
          return `${prefix}${quote}${specifier.slice(0, -3)}.js${quote}`;
        }
        const builtin = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
        if (builtinModules.includes(builtin) || (SERVER_PACKAGES as readonly string[]).includes(specifier)) {
          return whole;
        }
        throw new Error(`src/server/${name} imports ${specifier}, which is not installed on instances`);
      },
    );
    return { name: `${name.slice(0, -3)}.js`, content: compact(code) };
  });
}

/**
 * Drops whole-line comments, blank lines and trailing blanks (type stripping leaves spaces where the
 * types were) so the archive fits in the user data. Line-based on purpose: comments that share a line
 * with code stay, so no string or regex can be cut. A test runs the result.
 */
export function compact(code: string): string {
  const out: string[] = [];
  let inBlock = false;
  for (const line of code.split('\n')) {
    const trimmed = line.trim();
    if (inBlock) {
      if (trimmed.includes('*/')) {
        inBlock = false;
        if (!trimmed.endsWith('*/')) throw new Error(`code after a block comment: '${trimmed}'`);
      }
      continue;
    }
    if (trimmed.startsWith('/*')) {
      inBlock = !trimmed.includes('*/');
      if (!inBlock && !trimmed.endsWith('*/')) out.push(line.trimEnd());
      continue;
    }
    if (trimmed === '' || trimmed.startsWith('//')) continue;
    out.push(line.trimEnd());
  }
  return `${out.join('\n')}\n`;
}

/**
 * `stripTypeScriptTypes` is marked experimental in Node 24 and announces it with an ExperimentalWarning
 * on stderr, which would land in the middle of the CLI's output; this one warning is dropped, any other
 * warning passes through.
 */
function quietly<T>(work: () => T): T {
  const original = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('stripTypeScriptTypes')) return;
    (original as (warning: string | Error, ...rest: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return work();
  } finally {
    process.emitWarning = original;
  }
}

/** The pinned versions of the two SDK clients, from the project's package.json. */
export function pinnedServerPackages(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const pinned: Record<string, string> = {};
  for (const name of SERVER_PACKAGES) {
    const version = pkg.dependencies?.[name];
    if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new Error(`package.json must pin ${name} to an exact version, found '${version ?? 'nothing'}'`);
    }
    pinned[name] = version;
  }
  return pinned;
}
