import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AdminCredentials } from '../api/principals.ts';
import { newAdminCredentials } from '../cloud.ts';
import { type DaemonPaths, LOCAL_PROFILE, SECOND_PROFILE } from './files.ts';

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

/** The admin key pair of one profile of the state dir's credentials file (default: the first account's). */
export function readAdminCredentials(
  paths: DaemonPaths,
  profile = LOCAL_PROFILE,
): AdminCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(paths.credentialsFile, 'utf8');
  } catch {
    return undefined;
  }
  const section = readIni(text, profile);
  const accessKeyId = section.aws_access_key_id;
  const secretAccessKey = section.aws_secret_access_key;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

export interface AccountCredentials {
  /** Profile `resilient-local`: the first account's admin. */
  readonly first: AdminCredentials;
  /** Profile `resilient-local-b`: the second account's admin. */
  readonly second: AdminCredentials;
}

const section = (profile: string, c: AdminCredentials): string =>
  `[${profile}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`;

/**
 * The admin credentials of this state dir's two accounts: generated at first start (AKIA… id, random secret)
 * and written, mode 0600, as an AWS shared-credentials file with profiles `resilient-local` and
 * `resilient-local-b`, plus a config file giving both the default Region, so
 * `AWS_SHARED_CREDENTIALS_FILE=… AWS_CONFIG_FILE=… AWS_PROFILE=resilient-local[-b] aws …` works. A file
 * from before the second account keeps its first profile and gains the second.
 */
export function ensureAdminCredentials(paths: DaemonPaths, region: string): AccountCredentials {
  mkdirSync(dirname(paths.credentialsFile), { recursive: true, mode: 0o700 });
  const existing = {
    first: readAdminCredentials(paths, LOCAL_PROFILE),
    second: readAdminCredentials(paths, SECOND_PROFILE),
  };
  const credentials: AccountCredentials = {
    first: existing.first ?? newAdminCredentials(),
    second: existing.second ?? newAdminCredentials(),
  };
  if (existing.first === undefined || existing.second === undefined) {
    writeFileSync(
      paths.credentialsFile,
      `${section(LOCAL_PROFILE, credentials.first)}\n${section(SECOND_PROFILE, credentials.second)}`,
      { mode: 0o600 },
    );
  }
  chmodSync(paths.credentialsFile, 0o600);
  writeFileSync(
    paths.configFile,
    [LOCAL_PROFILE, SECOND_PROFILE]
      .map((p) => `[profile ${p}]\nregion = ${region}\noutput = json\n`)
      .join('\n'),
    { mode: 0o600 },
  );
  return credentials;
}
