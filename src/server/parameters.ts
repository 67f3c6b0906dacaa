import type { ParameterNames } from './config.ts';
import { refreshAheadMs } from './freshness.ts';

export type FailureResponse = 'none' | 'static';
export type HealthCheckKind = 'shallow' | 'deep';

export interface ParameterValues {
  /** Undefined when the table parameter has never been read. */
  readonly table: string | undefined;
  readonly failureResponse: FailureResponse;
  readonly healthCheck: HealthCheckKind;
}

/** Fetches the named parameters in ONE call; resolves to the values found (missing names are absent). */
export type FetchParameters = (names: readonly string[]) => Promise<ReadonlyMap<string, string>>;

export interface ParameterCacheOptions {
  readonly names: ParameterNames;
  readonly ttlMs: number;
  readonly fetch: FetchParameters;
  readonly now: () => number;
  /** Told when a refresh fails, so the caller can log it; the cache keeps serving the last values. */
  readonly onError?: (error: unknown) => void;
}

export interface ParameterCache {
  get(): Promise<ParameterValues>;
}

/**
 * The three parameters behind a time-to-live cache: about one GetParameters call per TTL whatever the
 * request rate (refreshed ahead in its last tenth, freshness.ts), concurrent requests during a refresh
 * share the one in-flight call, and values are never
 * older than the TTL while SSM answers. When SSM fails (or a name is missing) the last value read for each
 * name is kept; with none ever read, the safe defaults are used: failure response `none` and health check
 * `shallow` (what the reference server does when a parameter is absent).
 */
export function createParameterCache(options: ParameterCacheOptions): ParameterCache {
  const { names, ttlMs, fetch, now } = options;
  const nameList = [names.table, names.failureResponse, names.healthCheck] as const;
  const last = new Map<string, string>();
  let values: ParameterValues = toValues(last, names);
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<ParameterValues> | undefined;
  const refreshFrom = ttlMs - refreshAheadMs(ttlMs);
  /** False after a failed refresh: a down SSM is then asked once per TTL, never ahead. */
  let lastRefreshOk = true;

  const refresh = async (): Promise<ParameterValues> => {
    try {
      const found = await fetch(nameList);
      for (const name of nameList) {
        const value = found.get(name);
        if (value !== undefined) last.set(name, value);
      }
      values = toValues(last, names);
      lastRefreshOk = true;
    } catch (error: unknown) {
      lastRefreshOk = false;
      options.onError?.(error);
    } finally {
      // A failed refresh also starts a new period: a down SSM is asked once per TTL, not once per request.
      fetchedAt = now();
      inFlight = undefined;
    }
    return values;
  };

  return {
    get(): Promise<ParameterValues> {
      const age = now() - fetchedAt;
      if (age >= ttlMs) {
        inFlight ??= refresh();
        return inFlight;
      }
      // Refresh ahead (freshness.ts): in the TTL's last tenth, one call in the background while this
      // request is answered with values that are still within their TTL. `refresh` never rejects.
      if (age >= refreshFrom && lastRefreshOk) inFlight ??= refresh();
      return Promise.resolve(values);
    },
  };
}

function toValues(last: ReadonlyMap<string, string>, names: ParameterNames): ParameterValues {
  return {
    table: last.get(names.table),
    failureResponse: last.get(names.failureResponse) === 'static' ? 'static' : 'none',
    healthCheck: last.get(names.healthCheck) === 'deep' ? 'deep' : 'shallow',
  };
}
