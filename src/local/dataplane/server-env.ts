/**
 * The recommendation server's configuration carried in the launch template's user data: the heredoc
 * `cat > /etc/resilient/server.env <<'RESILIENT_ENV'` … `RESILIENT_ENV`, one `KEY=VALUE` per line.
 * The local cloud never runs the script (DESIGN §7); it reads only this block. Kept behind one function
 * so it can be swapped for `parseServerEnv` from `src/userdata/` once that exists.
 */
const OPENING = /^cat\s+>\s*\/etc\/resilient\/server\.env\s+<<-?\s*'?RESILIENT_ENV'?\s*$/;
const CLOSING = 'RESILIENT_ENV';

export function parseServerEnvBlock(userData: string): Record<string, string> {
  const env: Record<string, string> = {};
  let inside = false;
  for (const raw of userData.split(/\r?\n/)) {
    const line = raw.trim();
    if (!inside) {
      inside = OPENING.test(line);
      continue;
    }
    if (line === CLOSING) break;
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    env[key] = unquote(line.slice(eq + 1).trim());
  }
  return env;
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first))
    return value.slice(1, -1);
  return value;
}
