/**
 * `resilient local fault crash|hang|slow|heal <instance-id>`, `local fault api` and `local fault status`:
 * fault injection on the running local cloud of a state dir, through its control route (`/_local/faults`,
 * see src/local/control/routes.ts). The route answers 404 for an instance the cloud does not have and 409
 * for one without a process; both become errors that say what to do.
 */
import { ResilientError, usageError } from '../../errors.ts';
import type { InstanceFault } from '../../local/contracts.ts';
import type { FaultStatus } from '../../local/control/client.ts';
import type { CommandContext } from '../commands.ts';
import type { Io } from '../io.ts';
import { requireLocalCloud } from '../local-target.ts';
import { parseDelayMs, parseInstanceId, parseRate, type RawValues } from '../options.ts';
import { stateDirOf } from '../run-options.ts';

/** Each control call has this deadline (the route answers at once: it only flips a switch). */
const CONTROL_TIMEOUT_MS = 5_000;

type Request =
  | { readonly kind: 'instance'; readonly instanceId: string; readonly fault: InstanceFault }
  | { readonly kind: 'api'; readonly throttleRate: number; readonly errorRate: number }
  | { readonly kind: 'status' };

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** Everything the user typed is checked before the local cloud is even looked for. */
export function requestOf(command: string, values: RawValues, positionals: readonly string[]): Request {
  const verb = command.split(' ')[2] ?? '';
  switch (verb) {
    case 'crash':
    case 'hang':
    case 'heal':
      return { kind: 'instance', instanceId: parseInstanceId(positionals[0] ?? ''), fault: { kind: verb } };
    case 'slow': {
      const instanceId = parseInstanceId(positionals[0] ?? '');
      const delay = str(values['delay-ms']);
      if (delay === undefined) throw usageError('local fault slow needs --delay-ms N (milliseconds)');
      return { kind: 'instance', instanceId, fault: { kind: 'slow', delayMs: parseDelayMs(delay) } };
    }
    case 'api': {
      const throttle = str(values.throttle);
      const errors = str(values.errors);
      if (throttle === undefined && errors === undefined)
        throw usageError('local fault api needs --throttle RATE, --errors RATE or both (0 0 clears)');
      const throttleRate = throttle === undefined ? 0 : parseRate(throttle, '--throttle');
      const errorRate = errors === undefined ? 0 : parseRate(errors, '--errors');
      // Each call draws once: throttled with p = throttle, failed with p = errors, so they cannot exceed 1.
      if (throttleRate + errorRate > 1)
        throw usageError(`--throttle ${throttle} and --errors ${errors} add up to more than 1`);
      return { kind: 'api', throttleRate, errorRate };
    }
    case 'status':
      return { kind: 'status' };
    default:
      throw new ResilientError('INTERNAL', `no fault command '${command}'`);
  }
}

const percent = (rate: number): string => `${Math.round(rate * 1000) / 10} %`;

const DONE: Record<InstanceFault['kind'], (id: string, fault: InstanceFault) => string> = {
  crash: (id) =>
    `Crashed ${id}: its process was killed. It fails its EC2 status check (impaired) and its health checks; its Auto Scaling group replaces it.`,
  hang: (id) =>
    `${id} now hangs: it accepts connections and never answers (the load balancer answers 504 after its idle timeout; health checks time out).`,
  slow: (id, fault) =>
    `${id} now answers ${fault.kind === 'slow' ? fault.delayMs : 0} ms late (health checks and requests alike).`,
  heal: (id) => `${id} answers normally again (a crashed instance comes back only by reboot or replacement).`,
};

export async function run({ io, values, positionals, command }: CommandContext): Promise<void> {
  const request = requestOf(command, values, positionals);
  const stateDir = stateDirOf(values);
  const local = await requireLocalCloud(stateDir);
  const { createControlClient, ControlRouteError } = await import('../../local/control/client.ts');
  const control = createControlClient({
    endpoint: local.endpoint,
    adminSecret: local.credentials.secretAccessKey,
    timeoutMs: CONTROL_TIMEOUT_MS,
  });
  const explain = (error: unknown, what: string): ResilientError => {
    if (error instanceof ResilientError) return error;
    if (error instanceof ControlRouteError) {
      if (error.status === 404 && request.kind === 'instance')
        return new ResilientError('PRECONDITION', `The local cloud has no instance ${request.instanceId}.`, {
          hint: `list its instances with: resilient local fault status --state-dir ${stateDir}`,
        });
      if (error.status === 409 && request.kind === 'instance')
        return new ResilientError(
          'PRECONDITION',
          `${request.instanceId} is not running, so it cannot take a fault.`,
          { hint: `list the running instances with: resilient local fault status --state-dir ${stateDir}` },
        );
      if (error.status === 401)
        return new ResilientError('PRECONDITION', 'The local cloud refused its own admin credentials.', {
          hint: `restart it: resilient local stop --state-dir ${stateDir} && resilient local start --state-dir ${stateDir}`,
        });
      return new ResilientError('CLOUD', `The local cloud refused ${what}: ${error.message}`, {
        cause: error,
      });
    }
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      return new ResilientError(
        'TIMEOUT',
        `The local cloud did not answer ${what} within ${CONTROL_TIMEOUT_MS} ms.`,
        {
          hint: `is it busy or stuck? See resilient local status --state-dir ${stateDir}`,
          cause: error,
        },
      );
    // fetch failed: the daemon went away between the status check and the call.
    return new ResilientError(
      'PRECONDITION',
      `The local cloud at ${local.endpoint} did not answer ${what}.`,
      {
        hint: `start it with: resilient local start --state-dir ${stateDir}`,
        cause: error,
      },
    );
  };

  const call = async <T>(what: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error: unknown) {
      throw explain(error, what);
    }
  };

  switch (request.kind) {
    case 'instance': {
      const { instanceId, fault } = request;
      await call(`the ${fault.kind} fault`, () => control.injectInstanceFault(instanceId, fault));
      io.line(DONE[request.fault.kind](request.instanceId, request.fault));
      return;
    }
    case 'api': {
      const { throttleRate, errorRate } = request;
      const rates = await call('the API fault rates', () =>
        control.setApiFaults({ throttleRate, errorRate }),
      );
      io.line(
        rates.throttleRate === 0 && rates.errorRate === 0
          ? 'API faults cleared: every call is served.'
          : `API faults on: ${percent(rates.throttleRate)} of calls throttled, ${percent(rates.errorRate)} failed with a 5xx.`,
      );
      return;
    }
    case 'status': {
      const status = await call('the fault status', () => control.faultStatus());
      if (values.json === true) io.line(JSON.stringify(status, null, 2));
      else renderStatus(io, status);
      return;
    }
  }
}

function renderStatus(io: Io, status: FaultStatus): void {
  const { throttleRate, errorRate } = status.api;
  io.line(
    throttleRate === 0 && errorRate === 0
      ? `API faults: ${io.style.green('none')}`
      : `API faults: ${io.style.yellow(`${percent(throttleRate)} throttled, ${percent(errorRate)} failed with a 5xx`)}`,
  );
  if (status.instances.length === 0) {
    io.line('Instances: none');
    return;
  }
  io.line('Instances:');
  const rows = status.instances.map((i) => [
    i.instanceId,
    i.state,
    i.status,
    i.fault === 'slow' ? `slow ${i.delayMs ?? '?'} ms` : i.fault,
  ]);
  const header = ['INSTANCE', 'STATE', 'STATUS', 'FAULT'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')}`.trimEnd();
  io.line(io.style.dim(line(header)));
  for (const row of rows) {
    const text = line(row);
    io.line(row[3] !== 'none' || row[2] === 'impaired' ? io.style.yellow(text) : text);
  }
}
