import { healthRegistry } from '@sightglass/core';
import { LRUCache } from 'lru-cache';
import { expect, it } from 'vitest';
import { instrumentLruCache } from './instrument-lru.js';
import { cacheSeries } from './test-support/metrics.js';

it('adds hit, miss, set, entry and hit-rate metrics to an existing lru-cache, and removes them', async () => {
  const lru = new LRUCache<string, string>({ max: 10 });
  lru.set('before', 'x'); // not counted: not instrumented yet
  const instrumentation = instrumentLruCache(lru, { name: 'existing-lru' });
  lru.set('a', '1');
  expect(lru.get('a')).toBe('1');
  expect(lru.get('missing')).toBeUndefined();
  expect(cacheSeries('existing-lru')).toMatchObject({ hits: 1, misses: 1, sets: 1, entries: 2, hitRate: 50 });
  // What cannot be seen from outside is left out, not shown as 0.
  expect(cacheSeries('existing-lru')).toMatchObject({
    evicted: undefined,
    loadFailures: undefined,
    warmEntries: undefined,
  });
  const health = (await healthRegistry().evaluate()).components.cache?.['existing-lru'];
  expect(health).toMatchObject({ status: 'healthy', details: { hit_rate_percent: 50, entries: 2 } });
  instrumentation.dispose();
  instrumentation.dispose();
  expect(Object.hasOwn(lru, 'get')).toBe(false);
  expect(lru.get('a')).toBe('1');
  expect(cacheSeries('existing-lru').hits).toBeUndefined();
});
