/** The heredoc delimiter of `/etc/resilient/server.env` in the user data; the local cloud parses it. */
export const SERVER_ENV_DELIMITER = 'RESILIENT_ENV';
const OPENING = `cat > /etc/resilient/server.env <<'${SERVER_ENV_DELIMITER}'`;

/** Values are written unquoted (systemd EnvironmentFile syntax): keep them to a safe alphabet. */
const SAFE_VALUE = /^[A-Za-z0-9_./:@-]*$/;
const SAFE_KEY = /^[A-Z][A-Z0-9_]*$/;

/** The heredoc that writes the server's environment file, exactly delimited for `parseServerEnv`. */
export function serverEnvBlock(env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([key, value]) => {
    if (!SAFE_KEY.test(key)) throw new Error(`server env key '${key}' is not an environment variable name`);
    if (!SAFE_VALUE.test(value))
      throw new Error(`server env value of ${key} has characters user data cannot carry`);
    return `${key}=${value}`;
  });
  return [OPENING, ...lines, SERVER_ENV_DELIMITER].join('\n');
}

/**
 * Extracts the server environment from user data (the `server.env` heredoc). Returns `{}` when the user
 * data has none (e.g. a launch template made by another tool): the caller then uses the defaults.
 */
export function parseServerEnv(userData: string): Record<string, string> {
  const lines = userData.split(/\r?\n/);
  const start = lines.indexOf(OPENING);
  if (start < 0) return {};
  const env: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    if (line === SERVER_ENV_DELIMITER) return env;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  // No closing delimiter: bash would treat the rest of the script as the file; refuse to guess.
  return {};
}
