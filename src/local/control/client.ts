import type { ApiFaultRates } from '../api/faults.ts';
import type { InstanceFault } from '../contracts.ts';
import type { InstanceFaultView } from './instance-faults.ts';

/** `GET /_local/faults`: the API fault rates and every visible instance with its fault and status. */
export interface FaultStatus {
  readonly api: ApiFaultRates;
  readonly instances: readonly InstanceFaultView[];
}

/** A typed client for the control route (`/_local/...`); every call has a deadline. */
export interface ControlClient {
  health(): Promise<{ status: string; pid: number; region: string; accountId: string }>;
  setApiFaults(rates: ApiFaultRates): Promise<ApiFaultRates>;
  getApiFaults(): Promise<ApiFaultRates>;
  /** Rejects with a `ControlRouteError` of status 404 for an unknown instance, 409 for one that is not running. */
  injectInstanceFault(instanceId: string, fault: InstanceFault): Promise<void>;
  faultStatus(): Promise<FaultStatus>;
}

export class ControlRouteError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlRouteError';
    this.status = status;
  }
}

export function createControlClient(options: {
  readonly endpoint: string;
  readonly adminSecret: string;
  readonly timeoutMs?: number;
}): ControlClient {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(path, options.endpoint), {
      method,
      headers: { authorization: `Bearer ${options.adminSecret}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    const text = await response.text();
    if (!response.ok)
      throw new ControlRouteError(response.status, `${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    health: () => call('GET', '/_local/health'),
    setApiFaults: (rates) => call('POST', '/_local/faults/api', rates),
    getApiFaults: () => call('GET', '/_local/faults/api'),
    injectInstanceFault: async (instanceId, fault) => {
      await call('POST', `/_local/faults/instances/${encodeURIComponent(instanceId)}`, fault);
    },
    faultStatus: () => call('GET', '/_local/faults'),
  };
}
