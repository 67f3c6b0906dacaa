/**
 * Settings that persist between runs (target, region, name, timeScale), in `conf` (docs/architecture.md#settings:
 * user config at the platform's config location; atomic writes). `RESILIENT_CONFIG_DIR` points it
 * elsewhere (tests, sandboxes). Precedence: flags > settings > built-in defaults.
 */
import { usageError } from '../errors.ts';
import { DEFAULT_NAME } from '../names.ts';
import { parseName, parseRegion, parseTarget, parseTimeScale, type Target } from './options.ts';

export interface Settings {
  target?: Target;
  region?: string;
  name?: string;
  timeScale?: number;
}

export type SettingKey = keyof Settings;

export const SETTING_KEYS: readonly SettingKey[] = ['target', 'region', 'name', 'timeScale'];

export const DEFAULTS = { target: 'local', name: DEFAULT_NAME, timeScale: 1, region: 'us-west-2' } as const;

/** Parses a setting's text as `config set` receives it; the same checks as the matching flag. */
export function parseSetting(key: string, value: string): Settings {
  switch (key) {
    case 'target':
      return { target: parseTarget(value, 'target') };
    case 'region':
      return { region: parseRegion(value, 'region') };
    case 'name':
      return { name: parseName(value, 'name') };
    case 'timeScale':
      return { timeScale: parseTimeScale(value, 'timeScale') };
    default:
      throw usageError(`unknown setting '${key}': the settings are ${SETTING_KEYS.join(', ')}`);
  }
}

export function assertSettingKey(key: string): SettingKey {
  if ((SETTING_KEYS as readonly string[]).includes(key)) return key as SettingKey;
  throw usageError(`unknown setting '${key}': the settings are ${SETTING_KEYS.join(', ')}`);
}

export interface SettingsStore {
  /** The settings file. */
  readonly path: string;
  read(): Settings;
  set(values: Settings): void;
  unset(key: SettingKey): void;
}

/**
 * Opens the store. A value that fails validation (hand-edited file) is reported, not silently used.
 * conf is loaded lazily: help and usage errors never pay for it.
 */
export async function openSettings(
  env: Readonly<Record<string, string | undefined>>,
): Promise<SettingsStore> {
  const { default: Conf } = await import('conf');
  const dir = env['RESILIENT_CONFIG_DIR'];
  const conf = new Conf<Record<string, unknown>>(
    dir === undefined || dir === '' ? { projectName: 'resilient' } : { projectName: 'resilient', cwd: dir },
  );
  return {
    path: conf.path,
    read: () => {
      const out: Settings = {};
      for (const key of SETTING_KEYS) {
        const raw = conf.get(key);
        if (raw === undefined) continue;
        try {
          Object.assign(out, parseSetting(key, String(raw)));
        } catch {
          throw usageError(
            `the setting ${key}=${JSON.stringify(raw)} in ${conf.path} is not valid`,
            `fix it with: resilient config set ${key} <value>  (or: resilient config unset ${key})`,
          );
        }
      }
      return out;
    },
    set: (values) => {
      for (const [key, value] of Object.entries(values)) conf.set(key, value);
    },
    unset: (key) => conf.delete(key),
  };
}
