/**
 * The SSM slice: parameters (with versions) and Run Command records. The local cloud never executes a
 * shell: a command is recorded, moves Pending → InProgress → Success on timestamps (scaled), and a
 * command that restarts the workload bumps the instance's `workloadGeneration` so the data plane
 * restarts the server process.
 */
import type { Cloud } from '../../contracts.ts';
import type { TagRecord } from '../shared/tags.ts';

export interface SsmSettings {
  /** Before this, GetCommandInvocation answers InvocationDoesNotExist (as AWS does just after sending). */
  invocationVisibleMs: number;
  /** Pending until then, InProgress after. */
  startMs: number;
  /** Success after this. */
  completeMs: number;
}

export interface ParameterRecord {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModified: number;
  description: string | undefined;
  dataType: string;
  tier: string;
  allowedPattern: string | undefined;
  keyId: string | undefined;
  lastModifiedUser: string;
  tags: TagRecord[];
}

export interface CommandRecord {
  commandId: string;
  documentName: string;
  instanceIds: string[];
  parameters: Record<string, string[]>;
  comment: string;
  requestedAt: number;
  /** Instances whose workload the command restarted. */
  restarts: boolean;
}

export interface SsmState {
  settings: SsmSettings;
  parameters: Record<string, ParameterRecord>;
  commands: CommandRecord[];
}

export const DEFAULT_SSM_SETTINGS: SsmSettings = {
  invocationVisibleMs: 500,
  startMs: 1_000,
  completeMs: 3_000,
};

export function ssmState(cloud: Cloud): SsmState {
  const existing = cloud.state['ssm'];
  if (existing !== undefined) return existing as SsmState;
  const fresh: SsmState = { settings: { ...DEFAULT_SSM_SETTINGS }, parameters: {}, commands: [] };
  cloud.state['ssm'] = fresh;
  return fresh;
}

export type InvocationStatus = 'Pending' | 'InProgress' | 'Success';

/** An invocation's status, or undefined while it does not exist yet. */
export function invocationStatus(cloud: Cloud, command: CommandRecord): InvocationStatus | undefined {
  const { settings } = ssmState(cloud);
  const elapsed = cloud.clock.now() - command.requestedAt;
  if (elapsed < cloud.clock.scaled(settings.invocationVisibleMs)) return undefined;
  if (elapsed < cloud.clock.scaled(settings.startMs)) return 'Pending';
  if (elapsed < cloud.clock.scaled(settings.completeMs)) return 'InProgress';
  return 'Success';
}

/**
 * Whether a shell script restarts the recommendation server: `systemctl restart|start resilient…`, the
 * seed's `python3 server.py`, or `resilient server`.
 */
export function restartsWorkload(commands: readonly string[]): boolean {
  return commands.some(
    (line) =>
      /\bsystemctl\s+(?:re)?start\s+resilient\b/.test(line) ||
      /\bservice\s+resilient\s+(?:re)?start\b/.test(line) ||
      /\bserver\.py\b/.test(line) ||
      /\bresilient\s+server\b/.test(line),
  );
}
