/**
 * The effective options of a command: flags > settings > built-in defaults, each validated once.
 * Settings are read only when a flag leaves something to decide.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { usageError } from '../errors.ts';
import { BUILT } from '../package-root.ts';
import type { Io } from './io.ts';
import {
  parseName,
  parseRegion,
  parseTarget,
  parseTimeScale,
  type RawValues,
  type Target,
} from './options.ts';
import { DEFAULTS, openSettings, type Settings } from './settings.ts';

export interface RunOptions {
  readonly target: Target;
  readonly name: string;
  /** Undefined on AWS when neither a flag, a setting nor AWS_REGION says: the SDK's own chain decides. */
  readonly region: string | undefined;
  readonly stateDir: string;
  readonly timeScale: number;
  readonly yes: boolean;
  readonly keep: boolean;
  /** One line to show before the run: a stored setting that does not apply to this target. */
  readonly notice?: string | undefined;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Where checkpoints and the local cloud live when `--state-dir` is not given: `./state` in a checkout
 * (the repository's git-ignored `state/`), and for the installed npm package the user's data directory,
 * as the XDG Base Directory specification puts it: `$XDG_DATA_HOME/resilient`, else
 * `~/.local/share/resilient` — never whatever directory the command happens to be run from.
 */
export function defaultStateDir(env: Io['env'] = process.env): string {
  if (!BUILT) return path.resolve('state');
  const xdg = env['XDG_DATA_HOME'];
  // The specification: a relative path in XDG_DATA_HOME is invalid and is ignored.
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.local', 'share');
  return path.join(base, 'resilient');
}

export function stateDirOf(values: RawValues, env: Io['env'] = process.env): string {
  const flag = str(values['state-dir']);
  return flag !== undefined ? path.resolve(flag) : defaultStateDir(env);
}

export function mergeRunOptions(values: RawValues, settings: Settings, env: Io['env']): RunOptions {
  const flagTarget = str(values.target);
  const flagName = str(values.name);
  const flagRegion = str(values.region);
  const flagScale = str(values['time-scale']);
  const target = flagTarget !== undefined ? parseTarget(flagTarget) : (settings.target ?? DEFAULTS.target);
  const envRegion = env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || undefined;
  const region =
    flagRegion !== undefined
      ? parseRegion(flagRegion)
      : (settings.region ?? (target === 'local' ? DEFAULTS.region : envRegion));
  // The time scale speeds up the local cloud only: AWS's deadlines never shrink (docs/architecture.md#real-aws).
  if (target === 'aws' && flagScale !== undefined) {
    throw usageError(
      '--time-scale applies to the local cloud only: AWS runs at its own speed, and so do its deadlines',
      'drop --time-scale, or use --target local',
    );
  }
  const storedScale = settings.timeScale;
  const ignored = target === 'aws' && storedScale !== undefined && storedScale !== DEFAULTS.timeScale;
  return {
    target,
    name: flagName !== undefined ? parseName(flagName) : (settings.name ?? DEFAULTS.name),
    region,
    stateDir: stateDirOf(values, env),
    timeScale:
      target === 'aws'
        ? DEFAULTS.timeScale
        : flagScale !== undefined
          ? parseTimeScale(flagScale)
          : (storedScale ?? DEFAULTS.timeScale),
    yes: values.yes === true,
    keep: values.keep === true,
    ...(ignored
      ? {
          notice: `The stored setting timeScale=${storedScale} applies to the local cloud only; ignored for --target aws.`,
        }
      : {}),
  };
}

/** Validates the flags first (a bad flag is reported before the settings file is even opened). */
export async function resolveRunOptions(values: RawValues, env: Io['env']): Promise<RunOptions> {
  mergeRunOptions(values, {}, env);
  const settings = (await openSettings(env)).read();
  return mergeRunOptions(values, settings, env);
}
