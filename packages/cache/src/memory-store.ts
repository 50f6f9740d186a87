import { ErrorCode, SightglassError } from '@sightglass/core';
import { validateInteger } from '@sightglass/core/internal';
import { LRUCache } from 'lru-cache';
import type { Entry, StoreEvents, SyncStore } from './store.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions<V> {
  /** The most entries kept; the least recently used is evicted past it. Required (a bounded cache). */
  max: number;
  /**
   * A budget on the total size of entries, measured by `sizeOf`. Optional, with `sizeOf`.
   * @default none: no size budget, `max` entries bound the store
   */
  maxSize?: number;
  /** The size of one value (bytes, tokens, whatever `maxSize` counts). Required with `maxSize`. */
  sizeOf?: (value: V, key: string) => number;
}

/**
 * An entry that can go stale before it expires. Entries without a stale window are kept as bare values,
 * so that a hit reads exactly what a raw lru-cache would (no wrapper object to follow, one value shape).
 */
/** Stands for `null` inside lru-cache, which takes no null values. */
export const NULL_VALUE = Symbol('null');

/**
 * The lru-cache behind each memory store, for `MemoryCache.get` to read directly: a hit is ~20 ns, and one
 * more call on its path shows. Not part of the public API.
 */
export const lruOfStore = new WeakMap<object, { get(key: string): unknown }>();

export class TimedEntry<V> implements Entry<V> {
  constructor(
    readonly value: V,
    readonly freshUntil: number,
  ) {}
}

/**
 * An in-process store on lru-cache 11: bounded by entry count (and optionally size), values kept as they
 * are (not serialized), expiry by lru-cache's own clock.
 */
export function memoryStore<V>(options: MemoryStoreOptions<V>): SyncStore<V> {
  validateInteger(options?.max, 'memoryStore option max', { code: ErrorCode.INVALID_CONFIG, min: 1 });
  if ((options.maxSize === undefined) !== (options.sizeOf === undefined)) {
    throw new SightglassError(ErrorCode.INVALID_CONFIG, 'memoryStore takes maxSize and sizeOf together');
  }
  const sizeOf = options.sizeOf;
  let events: StoreEvents | undefined;
  const lru = new LRUCache<string, NonNullable<V> | TimedEntry<V> | typeof NULL_VALUE>({
    max: options.max,
    ...(sizeOf && options.maxSize !== undefined
      ? {
          maxSize: options.maxSize,
          sizeCalculation: (item: NonNullable<V> | TimedEntry<V> | typeof NULL_VALUE, key: string) =>
            Math.max(
              1,
              Math.ceil(
                sizeOf(
                  item instanceof TimedEntry ? item.value : item === NULL_VALUE ? (null as V) : (item as V),
                  key,
                ),
              ),
            ),
        }
      : {}),
    dispose: (_entry, _key, reason) => {
      if (reason === 'evict') events?.onEviction('evicted');
      else if (reason === 'expire') events?.onEviction('expired');
    },
  });
  const store: SyncStore<V> = {
    kind: 'memory',
    sync: true,
    attach(next) {
      events = next;
    },
    get(key) {
      const item = lru.get(key);
      if (item === undefined) return undefined;
      if (item instanceof TimedEntry) return item;
      return { value: item === NULL_VALUE ? (null as V) : (item as V), freshUntil: Number.POSITIVE_INFINITY };
    },
    getFresh(key) {
      const item = lru.get(key);
      if (item === NULL_VALUE) return null as V;
      if (!(item instanceof TimedEntry)) return item as V | undefined;
      return item.freshUntil < Date.now() ? undefined : item.value;
    },
    getBare(key) {
      const item = lru.get(key);
      return item === NULL_VALUE ? (null as V) : (item as V | undefined);
    },
    set(key, entry, hardTtlMs) {
      const item =
        entry.freshUntil !== Number.POSITIVE_INFINITY
          ? new TimedEntry(entry.value, entry.freshUntil)
          : entry.value === null
            ? NULL_VALUE // lru-cache takes no null; the cache refuses undefined
            : (entry.value as NonNullable<V>);
      lru.set(key, item, hardTtlMs === undefined ? undefined : { ttl: hardTtlMs });
    },
    delete: (key) => lru.delete(key),
    has: (key) => lru.has(key),
    clear: () => lru.clear(),
    size: () => lru.size,
    async close() {
      lru.clear();
    },
  };
  lruOfStore.set(store, lru);
  return store;
}
