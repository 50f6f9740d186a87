import { BaseCache } from './base-cache.js';
import { lruOfStore, NULL_VALUE } from './memory-store.js';
import type { CacheOptions, EntryOptions } from './options.js';
import type { Entry, SyncStore } from './store.js';
import { validateKey } from './validation.js';

/**
 * `get` for a memory cache without a stale window: the lru-cache and the two counters held in the closure, so
 * a hit is the lookup and an increment, with no property loads on the way (see cache-hit.bench.ts: a hit is
 * a few tens of nanoseconds, and every load shows).
 */
function directGet<V>(
  lru: { get(key: string): unknown },
  hits: { inc(): void },
  misses: { inc(): void },
): (key: string) => V | undefined {
  const nullValue = NULL_VALUE;
  return (key) => {
    const item = lru.get(key);
    if (item === undefined) {
      // Only keys that passed validation were stored, so a hit proves the key valid: it is checked on a
      // miss, which throws the same typed error for a bad key as any other operation, before counting.
      validateKey(key);
      misses.inc();
      return undefined;
    }
    hits.inc();
    return item === nullValue ? (null as V) : (item as V);
  };
}

/**
 * A cache on an in-memory store: `get`, `set`, `has`, `delete` and `clear` answer synchronously, like
 * lru-cache itself; `getOrLoad` and `warm` are asynchronous because loaders are.
 */
export class MemoryCache<V> extends BaseCache<V> {
  private readonly syncStore: SyncStore<V>;

  constructor(store: SyncStore<V>, options: CacheOptions) {
    super(store, options);
    this.syncStore = store;
    // Without a stale window a hit is a plain lru-cache hit: read it directly (the memory store's own lru).
    const lru = this.staleMs === 0 ? lruOfStore.get(store) : undefined;
    // Only when `get` is this class's own: a subclass that overrides it keeps its override.
    if (lru !== undefined && Object.getPrototypeOf(this).get === MemoryCache.prototype.get) {
      this.get = directGet(lru, this.metrics.hits, this.metrics.misses);
    }
  }

  /** The fresh value for `key`, or undefined (a stale entry is a miss for `get`: only `getOrLoad` refreshes). */
  get(key: string): V | undefined {
    // With a stale window (or a store of another kind): fresh values only. Without one, directGet answers.
    validateKey(key);
    const value = this.staleMs === 0 ? this.syncStore.getBare(key) : this.syncStore.getFresh(key);
    if (value === undefined) this.metrics.miss();
    else this.metrics.hit();
    return value;
  }

  /** Stores a value. `undefined` and bad TTLs are refused with a typed error before anything is written. */
  set(key: string, value: V, options?: EntryOptions): void {
    validateKey(key);
    const { entry, hardTtlMs } = this.entryFor(value, options);
    this.overtake(key);
    this.syncStore.set(key, entry, hardTtlMs);
    this.metrics.sets.inc();
  }

  /** Whether a fresh or stale entry exists (not counted as a lookup). */
  has(key: string): boolean {
    return this.syncStore.has(validateKey(key));
  }

  delete(key: string): boolean {
    this.overtake(validateKey(key));
    return this.syncStore.delete(key);
  }

  clear(): void {
    this.syncStore.clear();
  }

  protected async lookup(key: string, staleIsHit: boolean): Promise<Entry<V> | undefined> {
    const entry = this.syncStore.get(key);
    this.countLookup(entry, staleIsHit);
    return entry;
  }

  protected write(key: string, entry: Entry<V>, hardTtlMs: number | undefined): void {
    this.syncStore.set(key, entry, hardTtlMs);
    this.metrics.sets.inc();
  }
}
