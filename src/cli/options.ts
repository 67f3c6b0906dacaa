/**
 * The one catalogue of command-line options. Every command picks its options from here, so a flag
 * means the same thing (same name, same value, same validation, same help line) wherever it appears.
 */
import { usageError } from '../errors.ts';
import { NAME_PATTERN } from '../names.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder shown in help, e.g. `local|aws`. */
  readonly value?: string;
  readonly description: string;
}

export const OPTIONS = {
  target: {
    type: 'string',
    value: 'local|aws',
    description: 'where to run: the local cloud or your AWS account',
  },
  name: { type: 'string', value: 'N', description: 'deployment name, [a-z][a-z0-9-]{0,11} (default: demo)' },
  'state-dir': {
    type: 'string',
    value: 'D',
    description:
      'where checkpoints and the local cloud live (default: ./state in a checkout, ~/.local/share/resilient installed)',
  },
  region: { type: 'string', value: 'R', description: 'AWS Region, e.g. us-west-2' },
  yes: {
    type: 'boolean',
    short: 'y',
    description: 'answer every prompt with its default; in the demo, verify each stage automatically',
  },
  'time-scale': {
    type: 'string',
    value: 'F',
    description: 'local cloud only: multiply every data-plane duration by F (0.05 = 20x faster)',
  },
  keep: { type: 'boolean', description: 'keep the resources at the end instead of destroying them' },
  'no-color': {
    type: 'boolean',
    description: 'no colours (also: NO_COLOR=1, or output that is not a terminal)',
  },
  json: { type: 'boolean', description: 'print machine-readable JSON instead of text' },
  'from-state': { type: 'string', value: 'FILE', description: 'destroy what this checkpoint file records' },
  port: { type: 'string', value: 'P', description: 'TCP port to listen on (0 = any free port)' },
  host: { type: 'string', value: 'H', description: 'address to bind' },
  'delay-ms': {
    type: 'string',
    value: 'N',
    description: 'milliseconds added before every response of the instance (0 to 600000)',
  },
  throttle: {
    type: 'string',
    value: 'RATE',
    description: 'fraction of API calls refused with a throttling error, 0 to 1 (left out: 0)',
  },
  errors: {
    type: 'string',
    value: 'RATE',
    description: 'fraction of API calls failed with a 5xx error, 0 to 1 (left out: 0)',
  },
  experiment: {
    type: 'string',
    value: 'FILE',
    description: 'run this experiment file (YAML or JSON) instead of the seven stages',
  },
  report: {
    type: 'string',
    value: 'DIR',
    description: 'write journal.json, junit.xml and report.html of the run to DIR',
  },
  web: { type: 'boolean', description: 'serve a live view of the run on 127.0.0.1 (the URL is printed)' },
  'web-port': {
    type: 'string',
    value: 'P',
    description: 'port of the --web live view (default: any free port)',
  },
  'probe-rate': {
    type: 'string',
    value: 'N',
    description: 'GETs per second the live view and --report send through the load balancer (default 2)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** Raw values as parseArgs returns them. */
export type RawValues = { [K in OptionName]?: string | boolean | undefined };

export const TARGETS = ['local', 'aws'] as const;
export type Target = (typeof TARGETS)[number];

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function parseTarget(value: string, flag = '--target'): Target {
  if (value === 'local' || value === 'aws') return value;
  throw usageError(`${flag} must be 'local' or 'aws', not '${value}'`);
}

export function parseName(value: string, flag = '--name'): string {
  if (NAME_PATTERN.test(value)) return value;
  throw usageError(
    `${flag} '${value}' is not a valid deployment name: use a lowercase letter, then up to 11 lowercase letters, digits or '-'`,
  );
}

export function parseRegion(value: string, flag = '--region'): string {
  if (REGION_PATTERN.test(value)) return value;
  throw usageError(`${flag} '${value}' does not look like an AWS Region (e.g. us-west-2)`);
}

export function parseTimeScale(value: string, flag = '--time-scale'): number {
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 100) return n;
  throw usageError(`${flag} must be a number greater than 0 and at most 100, not '${value}'`);
}

export function parsePort(value: string, flag = '--port'): number {
  const n = Number(value);
  if (/^\d+$/.test(value) && n <= 65535) return n;
  throw usageError(`${flag} must be a whole number from 0 to 65535, not '${value}'`);
}

export function parseHost(value: string, flag = '--host'): string {
  if (/^[A-Za-z0-9.:[\]-]+$/.test(value)) return value;
  throw usageError(`${flag} '${value}' is not a host name or IP address`);
}

/** The longest fault delay: ten minutes, far past any load balancer or client timeout. */
export const MAX_DELAY_MS = 600_000;

export function parseDelayMs(value: string, flag = '--delay-ms'): number {
  const n = Number(value);
  if (/^\d+$/.test(value) && n <= MAX_DELAY_MS) return n;
  throw usageError(
    `${flag} must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}, not '${value}'`,
  );
}

/** A probability: `0`, `1`, `0.1`, `.25` (not a percentage: `10%` or `10` is refused). */
export function parseRate(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 1) return n;
  throw usageError(`${flag} must be a rate from 0 to 1 (e.g. 0.1 for 10 %), not '${value}'`);
}

const INSTANCE_ID_PATTERN = /^i-[0-9a-f]{8,17}$/;

export function parseInstanceId(value: string): string {
  if (INSTANCE_ID_PATTERN.test(value)) return value;
  throw usageError(
    `'${value}' is not an instance id (i- and 8 to 17 hexadecimal digits, e.g. i-0abc12345def67890)`,
  );
}

/** GETs per second of the live view's probe: a few, never a load test. */
export function parseProbeRate(value: string, flag = '--probe-rate'): number {
  const n = Number(value);
  if (value.trim() !== '' && Number.isFinite(n) && n >= 0.1 && n <= 50) return n;
  throw usageError(`${flag} must be a number of GETs per second from 0.1 to 50, not '${value}'`);
}
