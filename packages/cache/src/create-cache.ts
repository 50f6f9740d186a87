import { ErrorCode, SightglassError } from '@sightglass/core';
import { MemoryCache } from './memory-cache.js';
import type { CacheOptions } from './options.js';
import { RemoteCache } from './redis-cache.js';
import type { AsyncStore, Store, SyncStore } from './store.js';

/**
 * Creates an instrumented cache on a store: `memoryStore(...)` gives a {@link MemoryCache} with synchronous
 * `get`/`set`, `redisStore(...)` a {@link RemoteCache} whose operations return promises.
 *
 * @example
 * const answers = createCache<string>({ name: 'answers', store: memoryStore({ max: 10_000 }), ttlMs: 600_000 });
 * const text = await answers.getOrLoad(key, () => ollama.generate(request).then((r) => r.response));
 */
export function createCache<V>(options: CacheOptions & { store: SyncStore<V> }): MemoryCache<V>;
export function createCache<V>(options: CacheOptions & { store: AsyncStore<V> }): RemoteCache<V>;
export function createCache<V>(options: CacheOptions & { store: Store<V> }): MemoryCache<V> | RemoteCache<V> {
  const store = options?.store;
  if (store === undefined || typeof store !== 'object' || typeof store.get !== 'function') {
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      'createCache needs a store: memoryStore({ max }) or redisStore({ url })',
    );
  }
  return store.sync ? new MemoryCache(store, options) : new RemoteCache(store, options);
}
