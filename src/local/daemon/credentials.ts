import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AdminCredentials } from '../api/principals.ts';
import { newAdminCredentials } from '../cloud.ts';
import { type DaemonPaths, LOCAL_PROFILE } from './files.ts';

/** Reads `[profile]` key = value pairs of an AWS shared-credentials/config file. */
function readIni(text: string, section: string): Record<string, string> {
  const out: Record<string, string> = {};
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header !== null) {
      current = (header[1] ?? '').trim();
      continue;
    }
    const kv = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (kv !== null && current === section) out[kv[1] ?? ''] = kv[2] ?? '';
  }
  return out;
}

export function readAdminCredentials(paths: DaemonPaths): AdminCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(paths.credentialsFile, 'utf8');
  } catch {
    return undefined;
  }
  const profile = readIni(text, LOCAL_PROFILE);
  const accessKeyId = profile.aws_access_key_id;
  const secretAccessKey = profile.aws_secret_access_key;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/**
 * The admin credentials of this state dir: generated at first start (AKIA… id, random secret) and written,
 * mode 0600, as an AWS shared-credentials file with profile `resilient-local`, plus a config file with its
 * region, so `AWS_SHARED_CREDENTIALS_FILE=… AWS_CONFIG_FILE=… AWS_PROFILE=resilient-local aws …` works.
 */
export function ensureAdminCredentials(paths: DaemonPaths, region: string): AdminCredentials {
  mkdirSync(dirname(paths.credentialsFile), { recursive: true, mode: 0o700 });
  const existing = readAdminCredentials(paths);
  const credentials = existing ?? newAdminCredentials();
  if (existing === undefined) {
    writeFileSync(
      paths.credentialsFile,
      `[${LOCAL_PROFILE}]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`,
      { mode: 0o600 },
    );
  }
  chmodSync(paths.credentialsFile, 0o600);
  writeFileSync(paths.configFile, `[profile ${LOCAL_PROFILE}]\nregion = ${region}\noutput = json\n`, {
    mode: 0o600,
  });
  return credentials;
}
