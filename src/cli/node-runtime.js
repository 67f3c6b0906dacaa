// A Node.js new enough for resilient, for the two launchers (bin.js, with-node.js). Plain JavaScript
// that even an old Node parses and runs: no TypeScript, no API newer than Node 18, nothing imported
// that an old Node lacks (a failed static import would print a stack trace instead of this message).
//
// resilient needs Node >= 22.18 (type stripping, `stripTypeScriptTypes`, `enableCompileCache`). When
// the running Node is older and nothing else is asked for, Node 24 is fetched once from the npm
// registry — the official binaries published as `node-<os>-<cpu>@24`, integrity-checked by npm —
// into the per-user cache `${XDG_CACHE_HOME:-~/.cache}/resilient-node24`, the same directory CI uses.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const NEEDED = [22, 18];
const NEEDED_TEXT = `${NEEDED[0]}.${NEEDED[1]}`;

/** True when `version` (e.g. `v20.20.2` or `24.1.0`) is at least 22.18. */
export function newEnough(version) {
  const [major = 0, minor = 0] = String(version).replace(/^v/, '').split('.').map(Number);
  return major > NEEDED[0] || (major === NEEDED[0] && minor >= NEEDED[1]);
}

/** The cache directory: `RESILIENT_NODE_DIR`, else `$XDG_CACHE_HOME/resilient-node24`, else ~/.cache/…. */
export function cacheDir(env = process.env) {
  if (env.RESILIENT_NODE_DIR) return env.RESILIENT_NODE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'resilient-node24');
}

function say(line) {
  process.stderr.write(`resilient: ${line}\n`);
}

/** The one line a too-old Node gets, with what to do; then exit 1. Never a stack trace. */
export function tooOld(reason) {
  say(
    `this is Node.js ${process.version} and resilient needs >= ${NEEDED_TEXT} (24 recommended)${reason ? `; ${reason}` : ''}. ` +
      'Install Node.js 24 (https://nodejs.org/en/download) and run it again.',
  );
  process.exit(1);
}

function versionOf(node) {
  const out = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

/** Downloads Node 24 into `dir` with `npm pack` (atomic: a half-done download is never used). */
function fetchNode(dir) {
  const os = process.platform === 'win32' ? 'win' : process.platform;
  const spec = `node-${os}-${process.arch}@24`;
  say(
    `this is Node.js ${process.version} and resilient needs >= ${NEEDED_TEXT}: fetching Node 24 from the npm registry (${spec}, about 30 MB, once) into ${dir}`,
  );
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, 'fetch-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const pack = spawnSync(npm, ['pack', '--silent', '--pack-destination', work, spec], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (pack.status !== 0 || tarball === undefined) {
      const why = (pack.stderr || pack.error?.message || '').trim().split('\n').pop();
      return `npm pack ${spec} failed${why ? ` (${why})` : ''}`;
    }
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work], { stdio: 'ignore' });
    if (untar.status !== 0) return `could not unpack ${tarball}`;
    rmSync(join(dir, 'package'), { recursive: true, force: true });
    renameSync(join(work, 'package'), join(dir, 'package'));
    return undefined;
  } catch (error) {
    return `could not fetch ${spec} (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The path of a Node >= 22.18 to run resilient with: the cached one, fetched first when missing.
 * `RESILIENT_NODE_DOWNLOAD=0` forbids the download (then a too-old Node gets the message instead).
 * Exits with the one-line message when no such Node can be had.
 */
export function provideNode(env = process.env) {
  const dir = cacheDir(env);
  const node = join(dir, 'package', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  let fetched = false;
  if (!existsSync(node)) {
    if (env.RESILIENT_NODE_DOWNLOAD === '0') {
      tooOld(`RESILIENT_NODE_DOWNLOAD=0 forbids fetching Node 24 into ${dir}`);
    }
    const failed = fetchNode(dir);
    if (failed !== undefined) tooOld(`Node 24 could not be fetched: ${failed}`);
    fetched = true;
  }
  const version = versionOf(node);
  if (version === undefined || !newEnough(version)) {
    tooOld(
      `the cached Node in ${dir} is ${version ?? 'not runnable'} (remove that directory to fetch it again)`,
    );
  }
  return { node, version, binDir: join(dir, 'package', 'bin'), fetched };
}

/**
 * Runs `command args` with the provided Node first on PATH, mirrors its exit (code or signal), and
 * never returns. SIGINT is not forwarded: a terminal's Ctrl+C reaches the whole foreground process
 * group, the child included, and a second copy would count as a second Ctrl+C (exit at once).
 */
export function runWith(provided, command, args, env = process.env) {
  const childEnv = { ...env, RESILIENT_LAUNCHED: '1' };
  if (provided.binDir !== undefined) childEnv.PATH = `${provided.binDir}${delimiter}${env.PATH ?? ''}`;
  // npm tells its scripts which Node runs it; after the hand-over that is the provided one.
  if (childEnv.npm_node_execpath !== undefined) childEnv.npm_node_execpath = provided.node;
  if (childEnv.NODE !== undefined) childEnv.NODE = provided.node;
  const child = spawn(command === 'node' ? provided.node : command, args, {
    stdio: 'inherit',
    env: childEnv,
  });
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGQUIT']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    say(`could not run ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
