import { CATALOG, metricRegistry } from '@sightglass/core';

/** A cache's counter and gauge values as the registry reports them now. */
export function cacheSeries(name: string) {
  const registry = metricRegistry();
  const labels = { cache_name: name };
  return {
    hits: registry.value(CATALOG.cacheHits, labels),
    misses: registry.value(CATALOG.cacheMisses, labels),
    hitRate: registry.value(CATALOG.cacheHitRatePercent, labels),
    sets: registry.value(CATALOG.cacheSets, labels),
    entries: registry.value(CATALOG.cacheEntries, labels),
    staleServed: registry.value(CATALOG.cacheStaleServed, labels),
    loadFailures: registry.value(CATALOG.cacheLoadFailures, labels),
    warmEntries: registry.value(CATALOG.cacheWarmEntries, labels),
    warmFailures: registry.value(CATALOG.cacheWarmFailures, labels),
    warmLastSuccess: registry.value(CATALOG.cacheWarmLastSuccessTimestampSeconds, labels),
    evicted: registry.value(CATALOG.cacheEvictions, { ...labels, reason: 'evicted' }),
    expired: registry.value(CATALOG.cacheEvictions, { ...labels, reason: 'expired' }),
    errors: (operation: string) => registry.value(CATALOG.cacheErrors, { ...labels, operation }),
  };
}
