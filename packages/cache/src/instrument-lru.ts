import { HealthComponent, healthRegistry } from '@sightglass/core';
import { validateName } from '@sightglass/core/internal';
import type { LRUCache } from 'lru-cache';
import { CacheMetrics } from './cache-metrics.js';

/**
 * What {@link instrumentLruCache} returns: a handle, not the cache with `dispose()` added as other
 * `instrument…` functions do, because an lru-cache's `dispose` is already its disposer option.
 */
export interface LruInstrumentation {
  /** Restores the cache's methods and stops reporting. Calling it again does nothing. */
  dispose(): void;
}

/**
 * Adds Sightglass's lookup metrics (hits, misses, hit rate, sets, entries) and a health check to an
 * lru-cache you already have. `get` and `set` are wrapped on that instance only.
 *
 * Evictions, loads and warm-ups cannot be seen from outside (lru-cache takes its `dispose` hook only at
 * construction), so those series are not reported at all rather than shown as a false 0. Use
 * `createCache({ store: memoryStore(...) })` for all of them.
 */
export function instrumentLruCache<K extends {}, V extends {}, FC>(
  lru: LRUCache<K, V, FC>,
  options: { name: string },
): LruInstrumentation {
  const name = validateName(options?.name, 'Cache');
  const metrics = new CacheMetrics(name, () => lru.size, 60_000, 'lookups');
  const unregister = healthRegistry().register({
    component: HealthComponent.cache,
    name,
    check: () => {
      const rate = metrics.window.ratePercent();
      return {
        status: 'healthy',
        details: {
          hit_rate_percent: rate === undefined ? null : Math.round(rate * 10) / 10,
          entries: lru.size,
        },
      };
    },
  });
  const get = lru.get;
  const set = lru.set;
  const countedGet: typeof get = function (this: unknown, ...args) {
    const value = get.apply(lru, args);
    if (value === undefined) metrics.miss();
    else metrics.hit();
    return value;
  };
  const countedSet: typeof set = function (this: unknown, ...args) {
    const result = set.apply(lru, args);
    metrics.sets.inc();
    return result;
  };
  Object.defineProperty(lru, 'get', { value: countedGet, configurable: true, writable: true });
  Object.defineProperty(lru, 'set', { value: countedSet, configurable: true, writable: true });
  let disposed = false;
  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      if (lru.get === countedGet) delete (lru as { get?: unknown }).get;
      if (lru.set === countedSet) delete (lru as { set?: unknown }).set;
      unregister();
      metrics.dispose();
    },
  };
}
