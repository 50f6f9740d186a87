export { BaseCache, MAX_PENDING_WRITES, STORE_ERROR_MEMORY_MS } from './base-cache.js';
export { createCache } from './create-cache.js';
export { instrumentLruCache, type LruInstrumentation } from './instrument-lru.js';
export { MemoryCache } from './memory-cache.js';
export { type MemoryStoreOptions, memoryStore } from './memory-store.js';
export type {
  CacheOptions,
  EntryOptions,
  Loader,
  LoadOptions,
  StoreFailureMode,
  WarmItem,
  WarmOptions,
  WarmReport,
  WarmSource,
} from './options.js';
export { RemoteCache } from './redis-cache.js';
export {
  type RedisClientLike,
  type RedisConnectionOptions,
  type RedisStoreOptions,
  redisStore,
} from './redis-store.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export {
  ATTR_CACHE_NAME,
  ATTR_ERROR_TYPE,
  EVENT_CACHE_COALESCED,
  EVENT_CACHE_HIT,
  EVENT_CACHE_MISS,
  EVENT_CACHE_STALE,
  SPAN_CACHE_LOAD,
} from './span-attributes.js';
export type { AsyncStore, Entry, EvictionReason, Store, StoreBase, StoreEvents, SyncStore } from './store.js';
export { MAX_KEY_LENGTH } from './validation.js';
