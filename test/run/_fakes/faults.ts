import { ServiceException } from '@smithy/core/client';

/**
 * Faults a test arms on the fake cloud:
 * - `throttle`: the call fails the way an exhausted SDK retry loop surfaces it (a `$retryable` throttling
 *   `ServiceException`, EC2's `RequestLimitExceeded` or `ThrottlingException`);
 * - `fatal`: an error no step absorbs (AccessDenied);
 * - `retryable`: the operation's own expected not-yet answer (profile not yet visible, load balancer
 *   still provisioning, target group in use, scaling activity in progress, table not active, endpoint 503).
 */
export type FaultKind = 'throttle' | 'fatal' | 'retryable';

interface Armed {
  readonly kind: FaultKind;
  /** `service.method` (e.g. `elbv2.deleteTargetGroup`), `get` for the endpoint, or any AWS call when absent. */
  readonly op: string | undefined;
  remaining: number;
}

/** A small deterministic generator (mulberry32) so that a "10 % throttled" run is repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Faults {
  readonly #armed: Armed[] = [];
  /** Fraction of AWS calls throttled at random (after armed faults). */
  throttleRate = 0;
  random: () => number = seededRandom(1);
  /** Faults that fired, in order: what a test can assert it exercised. */
  readonly fired: { op: string; kind: FaultKind }[] = [];

  arm(kind: FaultKind, options: { op?: string; times?: number } = {}): void {
    this.#armed.push({ kind, op: options.op, remaining: options.times ?? 1 });
  }

  clear(): void {
    this.#armed.length = 0;
    this.throttleRate = 0;
  }

  /** Consumes the first armed fault that applies to `op`. Unscoped faults never apply to the endpoint. */
  take(op: string, canBeRetryable: boolean): FaultKind | undefined {
    const index = this.#armed.findIndex(
      (a) =>
        (a.op === op || (a.op === undefined && op !== 'get')) && (a.kind !== 'retryable' || canBeRetryable),
    );
    const armed = this.#armed[index];
    if (armed !== undefined) {
      armed.remaining -= 1;
      if (armed.remaining <= 0) this.#armed.splice(index, 1);
      this.fired.push({ op, kind: armed.kind });
      return armed.kind;
    }
    if (op !== 'get' && this.throttleRate > 0 && this.random() < this.throttleRate) {
      this.fired.push({ op, kind: 'throttle' });
      return 'throttle';
    }
    return undefined;
  }

  get pending(): number {
    return this.#armed.length;
  }
}

/** An error shaped like the SDK's: `name` is the wire code, `$fault`, `$metadata.httpStatusCode`. */
export function serviceError(
  name: string,
  message: string,
  options: { status?: number; fault?: 'client' | 'server'; throttling?: boolean } = {},
): ServiceException {
  const error = new ServiceException({
    name,
    message,
    $fault: options.fault ?? 'client',
    $metadata: { httpStatusCode: options.status ?? 400, requestId: 'fake' },
  });
  if (options.throttling === true) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}

export function throttled(op: string): ServiceException {
  const code = op.startsWith('ec2.') ? 'RequestLimitExceeded' : 'ThrottlingException';
  return serviceError(code, `Rate exceeded (${op})`, { throttling: true });
}

export function fatal(op: string): ServiceException {
  return serviceError('AccessDenied', `injected fatal error: not authorized to perform ${op}`, {
    status: 403,
  });
}
