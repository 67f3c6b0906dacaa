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

interface Entry {
  /** When the read STARTED: the item is at most `now - startedAt` old, so staleness never exceeds the TTL. */
  readonly startedAt: number;
  readonly promise: Promise<AttributeItem>;
}

/**
 * A read-through cache of recommendation items keyed by (table, MediaType, ItemId), so that GET / costs
 * one GetItem per key per TTL instead of one per request (DESIGN §8: the per-request GetItem through the
 * SDK was the server's whole cost). Concurrent requests for a key share one in-flight read. Failures are
 * never kept: a rejected read leaves the cache before anyone else can join it, so the next request asks
 * DynamoDB again, exactly as without a cache.
 *
 * Why every DESIGN §5 observation still holds:
 * - The table name is part of the key: when the table parameter turns to `this-is-not-a-table` (stages 2
 *   and 7) the very first request after the parameter cache sees it misses, its GetItem fails, and the
 *   request answers 502 or the static item as before; nothing read from the real table can answer for it.
 * - Stage 4 reboots the instance with the SSM-only profile: the server process restarts with an empty
 *   cache and every read fails with AccessDenied (not cached), so it serves the static item. Even without
 *   a restart, a credential loss would show within one TTL.
 * - Stage 5's deep health check calls DescribeTable on every probe; this cache does not touch it, so the
 *   bad instance still answers 503 and turns unhealthy within interval × threshold + timeout.
 * - "Never stale by more than the TTL", like the parameters: an entry is served only while
 *   `now - startedAt < ttl`, counting from when the read was sent, not from when it came back.
 */
export function createItemCache(options: ItemCacheOptions): ItemCache {
  const { ttlMs, read, now } = options;
  if (ttlMs <= 0) return { get: read };
  const entries = new Map<string, Entry>();

  const sweep = (at: number): void => {
    for (const [key, entry] of entries) if (at - entry.startedAt >= ttlMs) entries.delete(key);
  };

  return {
    get(table, key) {
      const id = `${table}\u0000${key['MediaType']?.S ?? ''}\u0000${key['ItemId']?.N ?? ''}`;
      const at = now();
      const cached = entries.get(id);
      if (cached !== undefined && at - cached.startedAt < ttlMs) return cached.promise;
      if (entries.size >= SWEEP_AT) sweep(at);
      const entry: Entry = { startedAt: at, promise: read(table, key) };
      entries.set(id, entry);
      // Attached before any later caller can join: on failure the entry is gone before the next request.
      entry.promise.catch(() => {
        if (entries.get(id) === entry) entries.delete(id);
      });
      return entry.promise;
    },
  };
}
