/**
 * The span events, span and attributes the cache records, one place for each name (the README and
 * docs/tracing.md list them). Events go on the caller's active span, only when it is recording. Keys are
 * never recorded.
 */

/** `getOrLoad` found a fresh entry. */
export const EVENT_CACHE_HIT = 'sightglass.cache.hit';
/** `getOrLoad` found nothing (or only an expired entry) and starts a load. */
export const EVENT_CACHE_MISS = 'sightglass.cache.miss';
/** `getOrLoad` served a stale entry; a background load refreshes it (a `cache.load` child, if one starts). */
export const EVENT_CACHE_STALE = 'sightglass.cache.stale';
/** `getOrLoad` found nothing and waits for the load another caller started for the same key. */
export const EVENT_CACHE_COALESCED = 'sightglass.cache.coalesced';

/** The name of the span around a loader call: `cache.load <cache name>`, kind INTERNAL. */
export const SPAN_CACHE_LOAD = 'cache.load';

/** The cache's name, as in the `cache_name` label. */
export const ATTR_CACHE_NAME = 'sightglass.cache.name';

export { ATTR_ERROR_TYPE } from '@sightglass/core/internal';
