/** `resilient config get|set|unset|list`: the defaults that persist between runs. */
import type { CommandContext } from '../commands.ts';
import { assertSettingKey, DEFAULTS, openSettings, parseSetting, SETTING_KEYS } from '../settings.ts';

export async function run({ io, values, positionals, command }: CommandContext): Promise<void> {
  const [key = '', value = ''] = positionals;
  switch (command) {
    case 'config get': {
      const k = assertSettingKey(key);
      const stored = (await openSettings(io.env)).read()[k];
      if (stored !== undefined) io.line(String(stored));
      return;
    }
    case 'config set': {
      const parsed = parseSetting(key, value);
      const store = await openSettings(io.env);
      store.set(parsed);
      io.line(`${key} = ${String(Object.values(parsed)[0])}  ${io.style.dim(`(${store.path})`)}`);
      return;
    }
    case 'config unset': {
      const k = assertSettingKey(key);
      const store = await openSettings(io.env);
      store.unset(k);
      io.line(`${k} unset  ${io.style.dim(`(${store.path})`)}`);
      return;
    }
    default: {
      const store = await openSettings(io.env);
      const stored = store.read();
      const rows = SETTING_KEYS.map((k) => {
        const own = stored[k];
        // region has no single default: the local cloud's, or the AWS SDK's own chain on aws.
        const fallback = k === 'region' ? null : DEFAULTS[k];
        return { key: k, value: own ?? fallback, source: own === undefined ? 'default' : 'stored' };
      });
      if (values.json === true) {
        io.line(JSON.stringify({ path: store.path, settings: rows }, null, 2));
        return;
      }
      io.line(io.style.dim(`# ${store.path}`));
      for (const row of rows) {
        const fallback =
          row.value === null
            ? `${DEFAULTS.region} on local; AWS_REGION or your profile on aws`
            : String(row.value);
        io.line(
          `${row.key.padEnd(10)} ${row.source === 'stored' ? String(row.value) : io.style.dim(`${fallback} (default)`)}`,
        );
      }
    }
  }
}
