/**
 * Recognising AWS's expected errors. The SDK names a modeled error after its shape
 * (`NoSuchEntityException`, `ResourceInUseFault`) and an unmodeled one after the wire code
 * (`ValidationError`, `InvalidLaunchTemplateName.NotFoundException`); matching on the wire code
 * with the shape suffix stripped recognises both. Only `src/aws/` uses this: outside it,
 * expected errors are already values.
 */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const named = (error as { name?: unknown }).name;
  const code = (error as { Code?: unknown; code?: unknown }).Code ?? (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== '') return code;
  return typeof named === 'string' ? named : undefined;
}

const SUFFIXES = ['Exception', 'Fault'];

function strip(code: string): string {
  for (const suffix of SUFFIXES) {
    if (code.endsWith(suffix) && code.length > suffix.length && !code.endsWith(`.${suffix}`)) {
      return code.slice(0, -suffix.length);
    }
  }
  return code;
}

/** True when `error` carries one of `codes` (wire codes, with or without the SDK's shape suffix). */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  const found = awsErrorCode(error);
  if (found === undefined) return false;
  const names = new Set([found, strip(found)]);
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string') {
    names.add(name);
    names.add(strip(name));
  }
  return codes.some((c) => names.has(c) || names.has(strip(c)));
}

/** A matcher for `outcome`: the error carries one of these codes. */
export const code =
  (...codes: string[]) =>
  (error: unknown): boolean =>
    isAwsError(error, ...codes);

/**
 * Runs one SDK call and names what happened: `ok` when it succeeds, else the value of the first
 * expected error it matches, in order; any other error is thrown. This is where an expected error
 * (not found, in use, in progress) becomes a value, so that no caller outside src/aws catches one.
 */
export async function outcome<const V, const E>(
  run: () => Promise<unknown>,
  ok: V,
  ...expected: readonly (readonly [E, (error: unknown) => boolean])[]
): Promise<V | E> {
  try {
    await run();
    return ok;
  } catch (error: unknown) {
    for (const [value, matches] of expected) if (matches(error)) return value;
    throw error;
  }
}

/** A describe or get call whose expected error means "not there": that error is `undefined`. */
export async function orAbsent<T>(
  run: () => Promise<T>,
  absent: (error: unknown) => boolean,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error: unknown) {
    if (absent(error)) return undefined;
    throw error;
  }
}

/** The message of an AWS error, for the few cases where the code alone is ambiguous (ValidationError). */
export function awsErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Per-call options every wrapper method accepts: the run's AbortSignal reaches the SDK's `send`. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

export const sendOptions = (options: CallOptions | undefined): { abortSignal?: AbortSignal } =>
  options?.signal === undefined ? {} : { abortSignal: options.signal };

/**
 * Throttling and transient codes (the SDK's own lists in @smithy/service-error-classification, plus
 * EC2's `RequestLimitExceeded`). The SDK already retries these with backoff; one that still reaches us
 * means its attempts ran out, and the step should wait and try again rather than fail the run.
 */
const TRANSIENT_CODES = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
];
const TRANSIENT_NETWORK = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'TimeoutError'];

/** True for throttling, 5xx server faults and dropped connections: conditions that pass by themselves. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  const code = awsErrorCode(error);
  if (code !== undefined && TRANSIENT_CODES.includes(code)) return true;
  return (
    (typeof e.code === 'string' && TRANSIENT_NETWORK.includes(e.code)) ||
    (typeof e.name === 'string' && TRANSIENT_NETWORK.includes(e.name))
  );
}
