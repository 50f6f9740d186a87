/**
 * A memory-cache hit through createCache against a raw lru-cache get, in the same run (target: ratio ≤ 1.5),
 * and 1,000 concurrent getOrLoad misses of one key calling the loader exactly once.
 */
import { compare, finish } from '@sightglass/bench-kit';
import { LRUCache } from 'lru-cache';
import { createCache } from './create-cache.js';
import { memoryStore } from './memory-store.js';

const OPS = 1000;
const KEYS = Array.from({ length: 100 }, (_, i) => `prompt:${i}`);
const value = { text: 'a cached answer' };

const raw = new LRUCache<string, typeof value>({ max: 10_000 });
const rawWithTtl = new LRUCache<string, typeof value>({ max: 10_000, ttl: 600_000 });
const cache = createCache<typeof value>({ name: 'bench', store: memoryStore({ max: 10_000 }) });
const cacheWithTtl = createCache<typeof value>({
  name: 'bench-ttl',
  store: memoryStore({ max: 10_000 }),
  ttlMs: 600_000,
});
for (const key of KEYS) {
  raw.set(key, value);
  rawWithTtl.set(key, value);
  cache.set(key, value);
  cacheWithTtl.set(key, value);
}

let sink: unknown;
function rawHits(): void {
  for (let i = 0; i < OPS; i++) sink = raw.get(KEYS[i % 100]!);
}
function cacheHits(): void {
  for (let i = 0; i < OPS; i++) sink = cache.get(KEYS[i % 100]!);
}
function rawTtlHits(): void {
  for (let i = 0; i < OPS; i++) sink = rawWithTtl.get(KEYS[i % 100]!);
}
function cacheTtlHits(): void {
  for (let i = 0; i < OPS; i++) sink = cacheWithTtl.get(KEYS[i % 100]!);
}

await compare({
  title: 'A memory-cache hit (createCache + memoryStore) against lru-cache get',
  baseline: { name: 'lru-cache get', opsPerCall: OPS, fn: rawHits },
  candidates: [{ name: 'MemoryCache get', opsPerCall: OPS, fn: cacheHits }],
  targets: [
    { case: 'MemoryCache get', maxRatio: 1.5, description: 'a hit costs at most 1.5× a raw lru-cache get' },
  ],
});
await compare({
  title: 'The same, both with a TTL',
  baseline: { name: 'lru-cache get (ttl)', opsPerCall: OPS, fn: rawTtlHits },
  candidates: [{ name: 'MemoryCache get (ttlMs)', opsPerCall: OPS, fn: cacheTtlHits }],
  targets: [
    {
      case: 'MemoryCache get (ttlMs)',
      maxRatio: 1.5,
      description: 'a hit with TTL costs at most 1.5× lru-cache',
    },
  ],
});

// Coalescing: 1,000 concurrent misses of one key.
let loads = 0;
const coalescing = createCache<string>({ name: 'bench-coalescing', store: memoryStore({ max: 10 }) });
const started = performance.now();
await Promise.all(
  Array.from({ length: 1000 }, () =>
    coalescing.getOrLoad('one-key', async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'loaded';
    }),
  ),
);
console.log(`\n## 1,000 concurrent getOrLoad misses of one key\n`);
console.log(
  `loader calls: ${loads} (target 1), all settled in ${(performance.now() - started).toFixed(1)} ms`,
);
if (loads !== 1) {
  console.error('MISS the loader must be called exactly once');
  process.exitCode = 1;
} else console.log('PASS the loader was called exactly once');

void sink;
await Promise.all([cache.dispose(), cacheWithTtl.dispose(), coalescing.dispose()]);
finish();
