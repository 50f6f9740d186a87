import { ErrorCode, healthRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCache } from './create-cache.js';
import type { MemoryCache } from './memory-cache.js';
import { memoryStore } from './memory-store.js';
import type { CacheOptions } from './options.js';
import { cacheSeries } from './test-support/metrics.js';

const caches: Array<MemoryCache<unknown>> = [];
function cache<V>(name: string, options: Partial<CacheOptions> = {}, max = 100): MemoryCache<V> {
  const created = createCache<V>({ name, store: memoryStore<V>({ max }), ...options });
  caches.push(created as MemoryCache<unknown>);
  return created;
}
afterEach(async () => {
  for (const created of caches.splice(0)) await created.dispose();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The `performance` lru-cache found when it was loaded: it reads its TTL clock from this object. */
const lruPerformance = performance;

/**
 * Fakes the clocks a cache reads: timers, `Date` (stale windows) and `performance.now()` as lru-cache reads
 * it (expiry), so a test moves time on with `vi.advanceTimersByTimeAsync` instead of waiting for it.
 */
function fakeClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
  const fake = globalThis.performance;
  // From where the real clock stands: lru-cache reads a start time of 0 as "no TTL".
  const startedAt = lruPerformance.now();
  if (fake !== lruPerformance) {
    vi.spyOn(lruPerformance, 'now').mockImplementation(() => startedAt + fake.now());
  }
}

describe('MemoryCache basics', () => {
  it('keeps null as a value, distinct from absent', () => {
    const nullable = cache<string | null>('nulls');
    nullable.set('n', null);
    expect(nullable.get('n')).toBeNull();
    expect(cacheSeries('nulls').hits).toBe(1);
  });

  it('gets, sets, has, deletes and clears synchronously', () => {
    const answers = cache<{ text: string }>('basics');
    expect(answers.get('q')).toBeUndefined();
    answers.set('q', { text: 'a' });
    expect(answers.get('q')).toEqual({ text: 'a' });
    expect(answers.has('q')).toBe(true);
    expect(answers.delete('q')).toBe(true);
    expect(answers.has('q')).toBe(false);
    answers.set('x', { text: 'x' });
    answers.clear();
    expect(answers.get('x')).toBeUndefined();
  });

  it('counts hits, misses and sets, and reports the hit rate only once there was a lookup', () => {
    const answers = cache<number>('counting');
    expect(cacheSeries('counting').hitRate).toBeUndefined(); // absent, not a false 0
    answers.set('a', 1);
    answers.get('a');
    answers.get('a');
    answers.get('a');
    answers.get('b');
    expect(cacheSeries('counting')).toMatchObject({ hits: 3, misses: 1, sets: 1, hitRate: 75, entries: 1 });
  });

  it('forgets lookups older than the window', () => {
    const answers = cache<number>('window', { hitRateWindowMs: 60_000 });
    answers.get('a');
    const window = (answers as unknown as { metrics: { window: { advance(): void } } }).metrics.window;
    for (let i = 0; i < 12; i++) window.advance();
    expect(cacheSeries('window').hitRate).toBeUndefined();
    expect(cacheSeries('window').misses).toBe(1); // the counters keep counting
  });

  it('counts evictions for room and expiries', async () => {
    fakeClock();
    const small = cache<number>('evictions', { ttlMs: 20 }, 2);
    small.set('a', 1);
    small.set('b', 2);
    small.set('c', 3);
    expect(cacheSeries('evictions').evicted).toBe(1);
    await vi.advanceTimersByTimeAsync(40);
    expect(small.get('b')).toBeUndefined();
    expect(cacheSeries('evictions').expired).toBeGreaterThanOrEqual(1);
  });

  it('bounds the total size with maxSize and sizeOf', () => {
    const sized = createCache<string>({
      name: 'sized',
      store: memoryStore({ max: 100, maxSize: 10, sizeOf: (v) => v.length }),
    });
    caches.push(sized as MemoryCache<unknown>);
    sized.set('a', 'xxxxxx');
    sized.set('b', 'yyyyyy');
    expect(sized.has('a')).toBe(false);
    expect(sized.get('b')).toBe('yyyyyy');
  });

  it('lets a per-entry TTL override the cache TTL', async () => {
    fakeClock();
    const answers = cache<number>('per-entry', { ttlMs: 10_000 });
    answers.set('short', 1, { ttlMs: 10 });
    answers.set('long', 2);
    await vi.advanceTimersByTimeAsync(30);
    expect([answers.get('short'), answers.get('long')]).toEqual([undefined, 2]);
  });
});

describe('bad input', () => {
  it.each([
    ['a number key', () => cache('bad-1').get(42 as never), ErrorCode.CACHE_INVALID_KEY],
    ['an empty key', () => cache('bad-2').set('', 1), ErrorCode.CACHE_INVALID_KEY],
    ['a huge key', () => cache('bad-3').set('k'.repeat(2000), 1), ErrorCode.CACHE_INVALID_KEY],
    ['an undefined value', () => cache('bad-4').set('k', undefined), ErrorCode.CACHE_INVALID_VALUE],
    ['a negative TTL', () => cache('bad-5').set('k', 1, { ttlMs: -1 }), ErrorCode.INVALID_ARGUMENT],
    ['a NaN cache TTL', () => cache('bad-6', { ttlMs: Number.NaN }), ErrorCode.INVALID_CONFIG],
    [
      'a stale window without TTL',
      () => cache('bad-7', { staleWhileRevalidateMs: 5 }),
      ErrorCode.INVALID_CONFIG,
    ],
    [
      'a store that is not one',
      () => createCache({ name: 'x', store: {} as never }),
      ErrorCode.INVALID_CONFIG,
    ],
    ['no max', () => memoryStore({} as never), ErrorCode.INVALID_CONFIG],
    ['maxSize without sizeOf', () => memoryStore({ max: 1, maxSize: 5 }), ErrorCode.INVALID_CONFIG],
    ['a bad name', () => cache(''), ErrorCode.INVALID_NAME],
    ['a TTL of 0', () => cache('bad-8', { ttlMs: 0 }), ErrorCode.INVALID_CONFIG],
    ['a per-entry TTL of 0', () => cache('bad-9').set('k', 1, { ttlMs: 0 }), ErrorCode.INVALID_ARGUMENT],
    [
      'a hit-rate window under a second',
      () => cache('bad-10', { hitRateWindowMs: 0 }),
      ErrorCode.INVALID_CONFIG,
    ],
  ])('refuses %s with a typed error', (_what, act, code) => {
    expect(act).toThrow(expect.objectContaining({ code }));
  });

  it('writes nothing when a value is refused', () => {
    const answers = cache<number>('nothing-written');
    expect(() => answers.set('k', undefined as never)).toThrow();
    expect(answers.has('k')).toBe(false);
    expect(cacheSeries('nothing-written').sets).toBe(0);
  });
});

describe('getOrLoad', () => {
  it('calls the loader once for 1,000 concurrent misses of one key', async () => {
    const answers = cache<string>('coalescing');
    let calls = 0;
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const loader = async () => {
      calls++;
      await loaded; // still loading while all 1,000 ask
      return 'value';
    };
    const waiting = Promise.all(Array.from({ length: 1000 }, () => answers.getOrLoad('k', loader)));
    release();
    const values = await waiting;
    expect(calls).toBe(1);
    expect(new Set(values)).toEqual(new Set(['value']));
    expect(await answers.getOrLoad('k', loader)).toBe('value');
    expect(calls).toBe(1);
    expect(cacheSeries('coalescing')).toMatchObject({ misses: 1000, hits: 1, sets: 1 });
  });

  it('does not cache a failing loader, counts it, and gives every waiter its error', async () => {
    const answers = cache<string>('failing');
    const failure = new Error('ollama down');
    const results = await Promise.allSettled([
      answers.getOrLoad('k', () => Promise.reject(failure)),
      answers.getOrLoad('k', () => 'never called'),
    ]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    expect(answers.has('k')).toBe(false);
    expect(cacheSeries('failing').loadFailures).toBe(1);
    await expect(answers.getOrLoad('k', () => 'recovered')).resolves.toBe('recovered');
  });

  it('fails a slow loader with LOAD_TIMEOUT and aborts its signal', async () => {
    fakeClock();
    const answers = cache<string>('timeouts', { loadTimeoutMs: 20 });
    let aborted: unknown;
    const slow = answers.getOrLoad('k', ({ signal }) => {
      signal.addEventListener('abort', () => {
        aborted = signal.reason;
      });
      return new Promise<string>(() => {});
    });
    const failed = expect(slow).rejects.toMatchObject({ code: ErrorCode.CACHE_LOAD_TIMEOUT });
    await vi.advanceTimersByTimeAsync(20);
    await failed;
    expect(aborted).toMatchObject({ code: ErrorCode.CACHE_LOAD_TIMEOUT });
    expect(cacheSeries('timeouts').loadFailures).toBe(1);
    await expect(answers.getOrLoad('k', () => 'fast', { timeoutMs: 1000 })).resolves.toBe('fast');
  });

  it('refuses a loader result of undefined without caching it', async () => {
    const answers = cache<string>('undefined-load');
    await expect(answers.getOrLoad('k', () => undefined as never)).rejects.toMatchObject({
      code: ErrorCode.CACHE_INVALID_VALUE,
    });
    expect(answers.has('k')).toBe(false);
  });

  it('serves a stale value at once within the window while one background load refreshes it', async () => {
    fakeClock();
    const answers = cache<string>('stale', { ttlMs: 20, staleWhileRevalidateMs: 5_000 });
    await answers.getOrLoad('k', () => 'v1');
    await vi.advanceTimersByTimeAsync(40);
    let refreshes = 0;
    let release!: () => void;
    const refresh = () =>
      new Promise<string>((resolve) => {
        refreshes++;
        release = () => resolve('v2');
      });
    expect(await answers.getOrLoad('k', refresh)).toBe('v1');
    expect(await answers.getOrLoad('k', refresh)).toBe('v1');
    expect(refreshes).toBe(1);
    expect(answers.get('k')).toBeUndefined(); // plain get never serves stale
    release();
    await new Promise((resolve) => setImmediate(resolve)); // the refresh settles and is stored
    expect(await answers.getOrLoad('k', refresh)).toBe('v2');
    expect(cacheSeries('stale').staleServed).toBe(2);
  });

  it('keeps serving the stale value when the refresh fails, and counts the failure', async () => {
    fakeClock();
    const answers = cache<string>('stale-fail', { ttlMs: 10, staleWhileRevalidateMs: 5_000 });
    await answers.getOrLoad('k', () => 'old');
    await vi.advanceTimersByTimeAsync(30);
    expect(await answers.getOrLoad('k', () => Promise.reject(new Error('down')))).toBe('old');
    await vi.waitFor(() => expect(cacheSeries('stale-fail').loadFailures).toBe(1));
    expect(await answers.getOrLoad('k', () => 'new')).toBe('old');
  });
});

describe('consistency', () => {
  it('keeps a value set while a load for the same key was running', async () => {
    const answers = cache<string>('overtaken');
    let release: ((value: string) => void) | undefined;
    const loading = answers.getOrLoad(
      'k',
      () =>
        new Promise<string>((resolve) => {
          release = resolve;
        }),
    );
    await vi.waitFor(() => expect(release).toBeDefined()); // the load is running
    answers.set('k', 'NEW');
    release?.('OLD');
    expect(await loading).toBe('OLD'); // the waiting caller gets what its loader produced
    expect(answers.get('k')).toBe('NEW'); // but the newer write stays
  });

  it('refuses a second cache with a taken name without leaving series behind', async () => {
    const first = cache<number>('taken-name');
    expect(() => cache('taken-name')).toThrow(
      expect.objectContaining({ code: ErrorCode.DUPLICATE_HEALTH_CHECK }),
    );
    await first.dispose();
    expect(cacheSeries('taken-name').hits).toBeUndefined();
  });
});

describe('warm', () => {
  it('loads every item with bounded concurrency and holds readiness until the first pass is done', async () => {
    const answers = cache<string>('warming');
    let running = 0;
    let most = 0;
    const items = Array.from({ length: 10 }, (_, i) => ({
      key: `prompt-${i}`,
      load: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve)); // a load's I/O: the others start meanwhile
        running--;
        return `answer-${i}`;
      },
    }));
    expect(answers.ready).toBe(true);
    const warming = answers.warm(() => items, { concurrency: 3 });
    expect(answers.ready).toBe(false);
    expect(healthRegistry().readiness()).toMatchObject({ ready: false, waitingFor: ['cache warming'] });
    const report = await warming;
    expect(report).toMatchObject({ loaded: 10, failed: 0 });
    expect(most).toBe(3);
    expect(answers.ready).toBe(true);
    expect(healthRegistry().readiness().ready).toBe(true);
    expect(answers.get('prompt-7')).toBe('answer-7');
    const series = cacheSeries('warming');
    expect(series).toMatchObject({ warmEntries: 10, warmFailures: 0 });
    expect(series.warmLastSuccess).toBeCloseTo(Date.now() / 1000, -1);
  });

  it('counts failing items and a failing source, degrades health, and still becomes ready', async () => {
    const answers = cache<string>('warm-failures');
    async function* source() {
      yield { key: 'ok', load: () => 'fine' };
      yield { key: 'bad', load: () => Promise.reject(new Error('nope')) };
    }
    expect(await answers.warm(source)).toMatchObject({ loaded: 1, failed: 1 });
    expect(await answers.warm(() => Promise.reject(new Error('source down')))).toMatchObject({ failed: 1 });
    expect(cacheSeries('warm-failures')).toMatchObject({
      warmEntries: 1,
      warmFailures: 2,
      warmLastSuccess: undefined,
    });
    expect(answers.ready).toBe(true);
    const health = (await healthRegistry().evaluate()).components.cache?.['warm-failures'];
    expect(health?.status).toBe('degraded');
  });

  it('refreshes on a schedule until disposed', async () => {
    fakeClock();
    const answers = cache<number>('refreshing', { readinessWaitsForWarm: false });
    let passes = 0;
    await answers.warm(() => [{ key: 'n', load: () => ++passes }], { refreshEveryMs: 10 });
    await vi.advanceTimersByTimeAsync(60);
    expect(passes).toBeGreaterThan(2);
    await answers.dispose();
    const after = passes;
    await vi.advanceTimersByTimeAsync(40);
    expect(passes).toBe(after);
  });

  it('runs one schedule when warm() is called again, and none after dispose', async () => {
    fakeClock();
    const answers = cache<number>('rewarm', { readinessWaitsForWarm: false });
    let passes = 0;
    const source = () => [{ key: 'n', load: () => ++passes }];
    await answers.warm(source, { refreshEveryMs: 20 });
    await answers.warm(source, { refreshEveryMs: 20 });
    const before = passes;
    await vi.advanceTimersByTimeAsync(110);
    expect(passes - before).toBe(5); // one schedule: 5 passes in 110 ms, not 10
    await answers.dispose();
    await expect(answers.warm(source)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it('refuses a bad concurrency', async () => {
    await expect(cache('warm-bad').warm(() => [], { concurrency: 0 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
  });
});

describe('health', () => {
  it('reports hit rate, entries and warm state', async () => {
    const answers = cache<number>('health-memory');
    answers.set('a', 1);
    answers.get('a');
    const report = await healthRegistry().evaluate();
    expect(report.components.cache?.['health-memory']).toMatchObject({
      status: 'healthy',
      details: {
        hit_rate_percent: 100,
        entries: 1,
        ready: true,
        store: { kind: 'memory', connected: true, errors: 0 },
      },
    });
  });

  it('can stay out of the registry, and leaves it on dispose', async () => {
    const quiet = cache<number>('health-none', { health: false });
    expect((await healthRegistry().evaluate()).components.cache?.['health-none']).toBeUndefined();
    const listed = cache<number>('health-gone');
    await listed.dispose();
    await listed.dispose();
    expect((await healthRegistry().evaluate()).components.cache?.['health-gone']).toBeUndefined();
    expect(cacheSeries('health-gone').hits).toBeUndefined();
    quiet.set('a', 1);
  });
});
