/**
 * The Node majors a CLI test runs on: this one, and Node 22 when the machine has it (CI fetches it to
 * `$RESILIENT_NODE22`; a developer's copy is looked for where .ci/run puts it). Prompts and Ctrl+C
 * behave differently across them (enquirer's cancel rejects on Node < 24.2 and throws on >= 24.2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

const node22 =
  process.env['RESILIENT_NODE22'] ??
  path.join(homedir(), '.cache', 'resilient-node22', 'package', 'bin', 'node');
const node22Version = existsSync(node22)
  ? spawnSync(node22, ['--version'], { encoding: 'utf8' }).stdout.trim()
  : '';

/** [version, executable] of each Node to run the CLI on. */
export const NODES: [string, string][] = [[process.version, process.execPath]];
if (node22Version.startsWith('v22.')) NODES.push([node22Version, node22]);

/** What a Ctrl+C at a prompt must never print: enquirer's crash, or any stack frame. */
export const NO_STACK = /ERR_USE_AFTER_CLOSE|^\s+at .*:\d+:\d+\)?$/m;
