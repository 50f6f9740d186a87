/** Produces the value for a key on a miss. It receives an AbortSignal that fires at the load timeout. */
export type Loader<V> = (context: {
  readonly key: string;
  readonly signal: AbortSignal;
}) => V | PromiseLike<V>;

/** Options of one `set` or `getOrLoad`. */
export interface EntryOptions {
  /**
   * How long this entry stays fresh, in milliseconds; overrides the cache's `ttlMs`.
   * @default the cache's `ttlMs`
   */
  ttlMs?: number;
}

/** Options of one `getOrLoad`. */
export interface LoadOptions extends EntryOptions {
  /**
   * How long the loader may take, in milliseconds; overrides the cache's `loadTimeoutMs`.
   * @default the cache's `loadTimeoutMs`
   */
  timeoutMs?: number;
}

/** What the cache does when its store fails (Redis down). */
export type StoreFailureMode = 'fail-open' | 'fail-closed';

/** Options shared by every cache (the store is given separately to `createCache`). */
export interface CacheOptions {
  /** The `cache_name` label and the name in `/health`: 1–64 characters. */
  name: string;
  /**
   * How long an entry stays fresh, in milliseconds.
   * @default none: no expiry (the store's bound evicts)
   */
  ttlMs?: number;
  /**
   * After an entry's TTL, how long `getOrLoad` may still serve it at once while one background load refreshes
   * it, in milliseconds. Needs `ttlMs`.
   * @default 0 (no stale serving)
   */
  staleWhileRevalidateMs?: number;
  /**
   * How long a loader may take before the load fails with `ERR_SIGHTGLASS_CACHE_LOAD_TIMEOUT`.
   * @default none (no time limit)
   */
  loadTimeoutMs?: number;
  /**
   * On a store failure, `fail-open` (default) treats a lookup as a miss, skips the write, counts the error
   * and degrades health: the caller still gets its value. `fail-closed` throws
   * `ERR_SIGHTGLASS_CACHE_STORE_UNAVAILABLE` instead.
   * @default `'fail-open'`
   */
  onStoreError?: StoreFailureMode;
  /**
   * Span of the `cache_hit_rate_percent` window, in milliseconds.
   * @default 60000
   */
  hitRateWindowMs?: number;
  /**
   * Register in the health registry (`critical` makes a store outage fail `/health`).
   * @default true
   */
  health?: boolean | { critical?: boolean };
  /**
   * Hold `/readyz` until the first warm-up pass finishes, once `warm()` is called.
   * @default true
   */
  readinessWaitsForWarm?: boolean;
  /**
   * Add a `sightglass.cache.hit` event to the caller's recording span on a fresh `getOrLoad` hit. Off by
   * default: finding the active span costs a hit about 40 ns (15% of an in-memory hit), and a hit explains
   * no slow request. Misses, stale serves, coalesced waits and loads are always recorded.
   * @default false
   */
  traceHits?: boolean;
}

/** One entry a warm-up loads. */
export interface WarmItem<V> {
  key: string;
  load: Loader<V>;
}

/** Where a warm-up finds its entries: called at every pass. */
export type WarmSource<V> = () =>
  | Iterable<WarmItem<V>>
  | AsyncIterable<WarmItem<V>>
  | PromiseLike<Iterable<WarmItem<V>> | AsyncIterable<WarmItem<V>>>;

/** Options of `warm()`. */
export interface WarmOptions {
  /**
   * Loads run at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * Run the warm-up again this many milliseconds after each pass ends.
   * @default none: the warm-up runs once
   */
  refreshEveryMs?: number;
}

/** What one warm-up pass did. */
export interface WarmReport {
  loaded: number;
  failed: number;
  durationMs: number;
}
