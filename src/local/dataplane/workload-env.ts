/**
 * The server environment an instance's workload runs with, from its user data. resilient's own user data
 * carries a `server.env` heredoc (`src/userdata`): its values are used as written, caches included. User
 * data without one is foreign (the reference clients' or the AWS CLI's launch templates, which install the
 * seed's server on EC2): that server reads the parameters and the item on every request, so the workload
 * gets the same semantics, both caches off, and a client's GET right after PutParameter returns sees the
 * new behaviour, as it would on EC2. Requests are still served concurrently: only the benchmark's baseline
 * needs the reference's one-at-a-time queue (`RESILIENT_REFERENCE_MODE`).
 */
import { SERVER_ENV } from '../../server/env.ts';
import { parseServerEnv } from '../../userdata/server-env.ts';

/** What foreign user data runs with: the seed's per-request reads. */
export const FOREIGN_USER_DATA_ENV: Readonly<Record<string, string>> = {
  [SERVER_ENV.parameterTtlMs]: '0',
  [SERVER_ENV.itemTtlMs]: '0',
};

/** Whether user data is resilient's: it writes the server's environment file (a non-empty `server.env`). */
export const isResilientUserData = (userData: string): boolean =>
  Object.keys(parseServerEnv(userData)).length > 0;

export function workloadServerEnv(userData: string): Record<string, string> {
  const env = parseServerEnv(userData);
  return Object.keys(env).length > 0 ? env : { ...FOREIGN_USER_DATA_ENV };
}
