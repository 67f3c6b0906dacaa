import { refreshAheadMs } from './freshness.ts';
import type { AttributeItem } from './recommendations.ts';

/** Reads one item from a table (one GetItem); rejects on any failure. */
export type ReadItem = (table: string, key: AttributeItem) => Promise<AttributeItem>;

export interface ItemCacheOptions {
  /** How long a successful read is served again; 0 turns the cache off (every request reads). */
  readonly ttlMs: number;
  readonly read: ReadItem;
  readonly now: () => number;
}

export interface ItemCache {
  get(table: string, key: AttributeItem): Promise<AttributeItem>;
}

/** Entries kept before expired ones are swept: 9 items per table, so only many table changes reach it. */
const SWEEP_AT = 256;

interface Fresh {
  /** When its read STARTED: the item is at most `now - startedAt` old, so staleness never exceeds the TTL. */
  readonly startedAt: number;
  readonly item: AttributeItem;
  /** Set when a background refresh failed: no more of them for this entry (a down table is not hammered). */
  readonly aheadFailed?: boolean;
}

/**
 * A read-through cache of recommendation items keyed by (table, MediaType, ItemId), so that GET / costs
 * one GetItem per key per TTL instead of one per request (docs/testing.md#quality-bars: the per-request GetItem through the
 * SDK was the server's whole cost). Concurrent requests for a key share one in-flight read, and in the
 * last tenth of the TTL a request starts that read in the background while it is still answered from the
 * cache (freshness.ts), so under steady traffic no request waits for DynamoDB. Failures are never kept:
 * a failed read leaves nothing behind, so the next request that needs the table asks DynamoDB again,
 * exactly as without a cache.
 *
 * Why every stage's observation (docs/architecture.md#the-seven-stages) still holds:
 * - The table name is part of the key: when the table parameter turns to `this-is-not-a-table` (stages 2
 *   and 7) the very first request after the parameter cache sees it misses, its GetItem fails, and the
 *   request answers 502 or the static item as before; nothing read from the real table can answer for it.
 * - Stage 4 reboots the instance with the SSM-only profile: the server process restarts with an empty
 *   cache and every read fails with AccessDenied (not cached), so it serves the static item. Even without
 *   a restart, a credential loss would show within one TTL.
 * - Stage 5's deep health check calls DescribeTable on every probe; this cache does not touch it, so the
 *   bad instance still answers 503 and turns unhealthy within interval × threshold + timeout.
 * - "Never stale by more than the TTL", like the parameters: an item is served only while
 *   `now - startedAt < ttl`, counting from when its read was sent, not from when it came back.
 */
export function createItemCache(options: ItemCacheOptions): ItemCache {
  const { ttlMs, read, now } = options;
  if (ttlMs <= 0) return { get: read };
  const refreshFrom = ttlMs - refreshAheadMs(ttlMs);
  const fresh = new Map<string, Fresh>();
  const inFlight = new Map<string, Promise<AttributeItem>>();

  const load = (id: string, table: string, key: AttributeItem, startedAt: number): Promise<AttributeItem> => {
    const joined = inFlight.get(id);
    if (joined !== undefined) return joined;
    if (fresh.size >= SWEEP_AT) {
      for (const [old, entry] of fresh) if (startedAt - entry.startedAt >= ttlMs) fresh.delete(old);
    }
    const reading = read(table, key)
      .then((item) => {
        fresh.set(id, { startedAt, item });
        return item;
      })
      .finally(() => inFlight.delete(id));
    inFlight.set(id, reading);
    return reading;
  };

  return {
    get(table, key) {
      const id = `${table}\u0000${key['MediaType']?.S ?? ''}\u0000${key['ItemId']?.N ?? ''}`;
      const at = now();
      const hit = fresh.get(id);
      if (hit === undefined || at - hit.startedAt >= ttlMs) return load(id, table, key, at);
      if (at - hit.startedAt >= refreshFrom && hit.aheadFailed !== true) {
        // A background refresh: its failure is not this request's (it is answered from the cache) and
        // is not kept either; once the TTL is over, a request reads again and sees the failure itself.
        load(id, table, key, at).catch(() => {
          if (fresh.get(id) === hit) fresh.set(id, { ...hit, aheadFailed: true });
        });
      }
      return Promise.resolve(hit.item);
    },
  };
}
