/**
 * The effective options of a command: flags > settings > built-in defaults, each validated once.
 * Settings are read only when a flag leaves something to decide.
 */
import path from 'node:path';
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
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export function stateDirOf(values: RawValues): string {
  return path.resolve(str(values['state-dir']) ?? 'state');
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
  return {
    target,
    name: flagName !== undefined ? parseName(flagName) : (settings.name ?? DEFAULTS.name),
    region,
    stateDir: stateDirOf(values),
    timeScale:
      flagScale !== undefined ? parseTimeScale(flagScale) : (settings.timeScale ?? DEFAULTS.timeScale),
    yes: values.yes === true,
    keep: values.keep === true,
  };
}

/** Validates the flags first (a bad flag is reported before the settings file is even opened). */
export async function resolveRunOptions(values: RawValues, env: Io['env']): Promise<RunOptions> {
  mergeRunOptions(values, {}, env);
  const settings = (await openSettings(env)).read();
  return mergeRunOptions(values, settings, env);
}
