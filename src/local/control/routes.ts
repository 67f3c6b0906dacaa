import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiFaults } from '../api/faults.ts';
import type { ControlHandler } from '../api/gateway.ts';
import type { InstanceFault } from '../contracts.ts';
import { type FaultSource, InstanceFaults } from './instance-faults.ts';

/**
 * The local cloud's own control route (not AWS), under `/_local/`:
 * - `GET  /_local/health` → 200 `{status:"ok", region, accountId}` (open: readiness probes need no secret);
 * - `GET|POST /_local/faults/api` `{throttleRate, errorRate}` → the API fault rates;
 * - `POST /_local/faults/instances/<id>` `{kind, delayMs?}` → `cloud.dataplane.injectInstanceFault`; 404 for an
 *   instance the cloud does not have, 409 for one that has no process (shutting down or terminated);
 * - `GET  /_local/faults` → `{api: {throttleRate, errorRate}, instances: [{instanceId, state, status, fault,
 *   delayMs?}]}`: what is injected now (see `instance-faults.ts`).
 * Everything but health requires `Authorization: Bearer <admin secret access key>`, so other users of the
 * machine cannot break the cloud.
 */
export interface ControlOptions {
  readonly cloud: FaultSource;
  readonly faults: ApiFaults;
  readonly adminSecret: string;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorized(req: IncomingMessage, secret: string): boolean {
  const h = req.headers.authorization ?? '';
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '');
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8') || '{}');
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A malformed escape (`%zz`) is kept as written: it names no instance, so it is answered 404. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const rate = (v: unknown): number | undefined => (typeof v === 'number' && v >= 0 && v <= 1 ? v : undefined);

export function parseInstanceFault(body: Record<string, unknown>): InstanceFault | undefined {
  switch (body.kind) {
    case 'crash':
    case 'hang':
    case 'heal':
      return { kind: body.kind };
    case 'slow':
      return typeof body.delayMs === 'number' && body.delayMs >= 0
        ? { kind: 'slow', delayMs: body.delayMs }
        : undefined;
    default:
      return undefined;
  }
}

export function createControlHandler(options: ControlOptions): ControlHandler {
  const instanceFaults = new InstanceFaults(options.cloud);
  return (req, res, body) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const method = req.method ?? 'GET';
    if (path === '/_local/health' && method === 'GET') {
      reply(res, 200, {
        status: 'ok',
        pid: process.pid,
        region: options.cloud.config.region,
        accountId: options.cloud.config.accountId,
      });
      return;
    }
    if (!authorized(req, options.adminSecret)) {
      reply(res, 401, {
        error: 'Unauthorized',
        message: 'The control route needs Authorization: Bearer <admin secret>.',
      });
      return;
    }
    if (path === '/_local/faults/api') {
      if (method === 'GET') return reply(res, 200, options.faults.rates);
      if (method !== 'POST') return reply(res, 405, { error: 'MethodNotAllowed' });
      const input = parseJson(body);
      const throttleRate = rate(input?.throttleRate ?? 0);
      const errorRate = rate(input?.errorRate ?? 0);
      if (throttleRate === undefined || errorRate === undefined || throttleRate + errorRate > 1) {
        return reply(res, 400, {
          error: 'BadRequest',
          message: 'throttleRate and errorRate are numbers in [0, 1] with a sum ≤ 1.',
        });
      }
      options.faults.set({ throttleRate, errorRate });
      return reply(res, 200, options.faults.rates);
    }
    if (path === '/_local/faults') {
      if (method !== 'GET') return reply(res, 405, { error: 'MethodNotAllowed' });
      return reply(res, 200, { api: options.faults.rates, instances: instanceFaults.list() });
    }
    const instance = /^\/_local\/faults\/instances\/([^/]+)$/.exec(path);
    if (instance !== null) {
      if (method !== 'POST') return reply(res, 405, { error: 'MethodNotAllowed' });
      const instanceId = safeDecode(instance[1] ?? '');
      const input = parseJson(body);
      const fault = input === undefined ? undefined : parseInstanceFault(input);
      if (fault === undefined) {
        return reply(res, 400, {
          error: 'BadRequest',
          message: 'kind is crash | hang | heal | slow (with delayMs).',
        });
      }
      const outcome = instanceFaults.inject(instanceId, fault);
      if (outcome.kind === 'not-found') {
        return reply(res, 404, {
          error: 'InvalidInstanceID.NotFound',
          message: `The instance ID '${instanceId}' does not exist`,
        });
      }
      if (outcome.kind === 'not-running') {
        return reply(res, 409, {
          error: 'IncorrectInstanceState',
          message: `The instance '${instanceId}' is ${outcome.state}: only pending or running instances take faults`,
        });
      }
      return reply(res, 200, { instanceId, fault });
    }
    reply(res, 404, { error: 'NotFound', message: `No control route ${method} ${path}` });
  };
}
