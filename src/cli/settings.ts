/**
 * Settings that persist between runs (target, region, name, timeScale), in `conf` (docs/architecture.md#settings:
 * user config at the platform's config location; atomic writes). `RESILIENT_CONFIG_DIR` points it
 * elsewhere (tests, sandboxes). Precedence: flags > settings > built-in defaults.
 */
import { constants } from 'node:os';
import { DEFAULT_TIME_SCALE } from '../checkpoint/schema.ts';
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

export const DEFAULTS = {
  target: 'local',
  name: DEFAULT_NAME,
  timeScale: DEFAULT_TIME_SCALE,
  region: 'us-west-2',
} as const;

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
 * Imports conf without the signal listeners it brings. conf 15 → atomically 2 → when-exit 2.1.5 hooks
 * SIGINT, SIGTERM, SIGHUP and a dozen more with `process.once` when first imported, and on the first one
 * runs its exit callbacks and then re-raises the signal, `process.kill(process.pid, signal)`, whatever
 * other listeners the process has (node_modules/when-exit/dist/node/interceptor.js). So the CLI got every
 * Ctrl+C twice, and the first one's "stop after the call in flight" became "quit now"
 * (docs/architecture.md#interrupts) whenever the run had not settled before the copy arrived: a single
 * SIGINT at stage 2 printed both messages (strace: the CLI sent itself SIGINT 2 ms after the test's).
 * Its callbacks remove atomically's temp files of an asynchronous write cut short; conf writes
 * synchronously, and no signal listener runs in the middle of synchronous code, so there is nothing for
 * them to do here. The listeners the first import adds are removed again; this runs while the command
 * resolves its options, before anything of ours listens for signals.
 */
async function importConf(): Promise<typeof import('conf')> {
  const signals = Object.keys(constants.signals) as NodeJS.Signals[];
  const before = new Map(signals.map((signal) => [signal, new Set(process.rawListeners(signal))]));
  const conf = await import('conf');
  for (const [signal, had] of before) {
    for (const listener of process.rawListeners(signal)) {
      if (!had.has(listener)) process.removeListener(signal, listener as (...args: unknown[]) => void);
    }
  }
  return conf;
}

/**
 * Opens the store. A value that fails validation (hand-edited file) is reported, not silently used.
 * conf is loaded lazily: help and usage errors never pay for it.
 */
export async function openSettings(
  env: Readonly<Record<string, string | undefined>>,
): Promise<SettingsStore> {
  const { default: Conf } = await importConf();
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
