/**
 * The Redis store against a real redis-server (Debian's), started on a free loopback port: sharing between
 * processes, failing open through an outage, and recovering without a restart, with each node-redis major.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorCode, healthRegistry } from '@sightglass/core';
import { type RunningRedis, redisBinary, startRedis, waitFor } from '@sightglass/test-kit';
import { createClient as createClient6 } from 'redis6';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCache } from './create-cache.js';
import type { CacheOptions } from './options.js';
import type { RemoteCache } from './redis-cache.js';
import { redisStore } from './redis-store.js';
import { cacheSeries } from './test-support/metrics.js';
import { REDIS_VERSIONS } from './test-support/redis-versions.js';

const binary = redisBinary();

describe.skipIf(binary === undefined).each(REDIS_VERSIONS)(
  'RemoteCache on a real Redis with %s',
  (version, { createClient }, packageName) => {
    let redis: RunningRedis;
    const caches: Array<RemoteCache<unknown>> = [];
    beforeAll(async () => {
      redis = await startRedis(binary!);
    });
    afterAll(() => redis?.dispose());
    afterEach(async () => {
      for (const cache of caches.splice(0)) await cache.dispose();
    });
    /** A cache name of this major's (metrics outlive a test, so each major counts under its own names). */
    const named = (name: string) => `${name}-${version.replace(/\D/g, '')}`;
    function cache<V>(name: string, options: Partial<CacheOptions> = {}, prefix = `test:${name}:`) {
      const created = createCache<V>({
        name: named(name),
        store: redisStore<V>({ url: redis.url, keyPrefix: prefix, createClient }),
        ...options,
      });
      caches.push(created as RemoteCache<unknown>);
      return created;
    }

    it('gets, sets, has, deletes and clears, with JSON values', async () => {
      const answers = cache<{ text: string; tokens: number[] }>('redis-basics');
      expect(await answers.get('q')).toBeUndefined();
      await answers.set('q', { text: 'hello', tokens: [1, 2] });
      expect(await answers.get('q')).toEqual({ text: 'hello', tokens: [1, 2] });
      expect(await answers.has('q')).toBe(true);
      expect(await answers.delete('q')).toBe(true);
      expect(await answers.has('q')).toBe(false);
      expect(cacheSeries(named('redis-basics'))).toMatchObject({
        hits: 1,
        misses: 1,
        sets: 1,
        entries: undefined,
      });
    });

    it('clears only its own prefix', async () => {
      const mine = cache<number>('redis-clear', {}, 'mine:*[x]:');
      const theirs = cache<number>('redis-theirs', {}, 'theirs:');
      await mine.set('a', 1);
      await mine.set('b', 2);
      await theirs.set('a', 3);
      await mine.clear();
      expect([await mine.get('a'), await mine.get('b'), await theirs.get('a')]).toEqual([
        undefined,
        undefined,
        3,
      ]);
    });

    it('expires entries with a Redis TTL, and serves stale within the window', async () => {
      // Freshness is the store's own reading of Date, faked here; the hard TTL is Redis's, on its own clock.
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        const answers = cache<string>('redis-ttl', { ttlMs: 50, staleWhileRevalidateMs: 200 });
        await answers.set('k', 'v1');
        vi.advanceTimersByTime(80);
        expect(await answers.get('k')).toBeUndefined(); // stale: only getOrLoad serves it
        expect(await answers.getOrLoad('k', () => 'v2')).toBe('v1');
        // The background refresh's write; each check moves Date on 1 ms, well inside v2's 50 ms.
        await vi.waitFor(async () => expect(await answers.get('k')).toBe('v2'), { interval: 1 });
        vi.useRealTimers();
        // A real wait: Redis drops the key at the hard TTL (250 ms) by its own clock. Bounded, polled.
        await vi.waitFor(async () => expect(await answers.has('k')).toBe(false), {
          timeout: 5_000,
          interval: 25,
        });
      } finally {
        vi.useRealTimers();
      }
    });

    it('refuses a value JSON cannot hold, and writes nothing', async () => {
      const answers = cache<unknown>('redis-bad-value');
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(answers.set('k', circular)).rejects.toMatchObject({ code: ErrorCode.CACHE_INVALID_VALUE });
      await expect(answers.set('k', 10n)).rejects.toMatchObject({ code: ErrorCode.CACHE_INVALID_VALUE });
      await expect(answers.set('k', () => 1)).rejects.toMatchObject({ code: ErrorCode.CACHE_INVALID_VALUE });
      expect(await answers.has('k')).toBe(false);
      expect(cacheSeries(named('redis-bad-value')).errors('set')).toBe(0);
    });

    it('uses a pluggable serializer', async () => {
      const store = redisStore<Date>({
        url: redis.url,
        createClient,
        keyPrefix: 'dates:',
        serializer: { serialize: (date) => date.toISOString(), deserialize: (text) => new Date(text) },
      });
      const dates = createCache<Date>({ name: named('redis-dates'), store });
      caches.push(dates as RemoteCache<unknown>);
      await dates.set('d', new Date('2026-11-27T00:00:00Z'));
      expect((await dates.get('d'))?.toISOString()).toBe('2026-11-27T00:00:00.000Z');
    });

    it('works on a client the application manages, and leaves it open', async () => {
      const client = createClient({ url: redis.url });
      await client.connect();
      const shared = createCache<number>({
        name: named('redis-own-client'),
        store: redisStore<number>({ client, keyPrefix: 'own:' }),
      });
      await shared.set('n', 7);
      expect(await client.get('own:n')).toMatch(/\n7$/);
      await shared.dispose();
      expect(client.isOpen).toBe(true);
      await client.close();
    });

    it('shares entries between two processes', async () => {
      const here = cache<string>('redis-shared', {}, 'shared:');
      // The other process imports the built package, and gives it a client of this major.
      const script = `
      import { createCache, redisStore } from '@sightglass/cache';
      import { createClient } from '${packageName}';
      const client = createClient({ url: ${JSON.stringify(redis.url)} });
      await client.connect();
      const cache = createCache({ name: 'other-process', store: redisStore({ client, keyPrefix: 'shared:' }) });
      await cache.set('written-elsewhere', 'from pid ' + process.pid);
      process.stdout.write(String(await cache.get('written-here')));
      await cache.dispose();
      await client.close();
    `;
      await here.set('written-here', 'hello from the test');
      const output = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          ['--input-type=module', '-e', script],
          { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        ),
      );
      expect(output).toBe('hello from the test');
      expect(await here.get('written-elsewhere')).toMatch(/^from pid \d+$/);
    });

    it('fails open through an outage and recovers without a restart', async () => {
      const answers = cache<string>('redis-outage', { ttlMs: 60_000 });
      await answers.set('before', 'cached');
      expect(await answers.getOrLoad('before', () => 'loaded')).toBe('cached');

      await redis.stop();
      let loads = 0;
      const value = await answers.getOrLoad('during', () => {
        loads++;
        return 'from the loader';
      });
      expect(value).toBe('from the loader'); // the caller gets its value, no exception
      expect(loads).toBe(1);
      expect(await answers.get('before')).toBeUndefined(); // a miss, not an error
      await answers.set('x', 'dropped'); // skipped, not thrown
      expect(await answers.has('x')).toBe(false);
      const series = cacheSeries(named('redis-outage'));
      expect(series.errors('get')).toBeGreaterThanOrEqual(2);
      expect(series.errors('set')).toBeGreaterThanOrEqual(1);
      const health = (await healthRegistry().evaluate()).components.cache?.[named('redis-outage')];
      expect(health).toMatchObject({
        status: 'degraded',
        details: { store: { kind: 'redis', connected: false } },
      });

      await redis.restart();
      await waitFor('the cache to reconnect', async () => {
        await answers.set('after', 'back');
        return (await answers.get('after')) === 'back' ? true : undefined;
      });
      expect(await answers.getOrLoad('after', () => 'not needed')).toBe('back');
    });

    it('answers from the loader within the command timeout when Redis stops answering', async () => {
      const answers = cache<string>('redis-frozen', { ttlMs: 60_000 });
      await answers.set('k', 'cached');
      redis.pause();
      try {
        const started = Date.now();
        expect(await answers.getOrLoad('other', () => 'from the loader')).toBe('from the loader');
        expect(Date.now() - started).toBeLessThan(5_000); // bounded by the 500 ms command timeout, not hung
        expect(cacheSeries(named('redis-frozen')).errors('get')).toBeGreaterThanOrEqual(1);
        const health = (await healthRegistry().evaluate()).components.cache?.[named('redis-frozen')];
        expect(health?.status).toBe('degraded');
      } finally {
        redis.resume();
      }
    });

    it('fails closed with a typed error when asked to', async () => {
      const strict = cache<string>('redis-strict', { onStoreError: 'fail-closed' });
      await strict.set('k', 'v');
      await redis.stop();
      await expect(strict.get('k')).rejects.toMatchObject({ code: ErrorCode.CACHE_STORE_UNAVAILABLE });
      await expect(strict.getOrLoad('k', () => 'loaded')).rejects.toMatchObject({
        code: ErrorCode.CACHE_STORE_UNAVAILABLE,
      });
      await redis.restart();
    });

    it('answers from the loader when Redis is down at start-up, and uses Redis once it is up', async () => {
      await redis.stop();
      const late = cache<string>('redis-late', { ttlMs: 60_000 });
      expect(await late.getOrLoad('k', () => 'loaded while down')).toBe('loaded while down');
      expect(cacheSeries(named('redis-late')).errors('get')).toBeGreaterThanOrEqual(1);
      // Once the first connection attempt failed, lookups fail fast instead of waiting for Redis each time.
      const started = performance.now();
      for (let i = 0; i < 5; i++) await late.getOrLoad(`fast-${i}`, () => 'x');
      expect(performance.now() - started).toBeLessThan(500);
      await redis.restart();
      await waitFor('the late cache to connect', async () => {
        await late.set('k', 'stored');
        return (await late.get('k')) === 'stored' ? true : undefined;
      });
    });

    it('does not reconnect once disposed', async () => {
      const answers = cache<string>('redis-disposed');
      await answers.set('k', 'v');
      await answers.dispose();
      expect(await answers.get('k')).toBeUndefined(); // fails open, without opening a new connection
    });
  },
);

describe.skipIf(binary === undefined)('redisStore on a real Redis', () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedis(binary!);
  });
  afterAll(() => redis?.dispose());

  it('imports redis itself when given no createClient', async () => {
    const answers = createCache<string>({
      name: 'redis-default-client',
      store: redisStore<string>({ url: redis.url }),
    });
    try {
      await answers.set('k', 'v');
      expect(await answers.get('k')).toBe('v');
      expect(cacheSeries('redis-default-client')).toMatchObject({ sets: 1, hits: 1 });
    } finally {
      await answers.dispose();
    }
  });

  it("clears its keys on a node-redis 6 client with its own keyPrefix, and no one else's", async () => {
    const client = createClient6({ url: redis.url, keyPrefix: 'app:' });
    await client.connect();
    const answers = createCache<number>({
      name: 'redis-client-key-prefix',
      store: redisStore<number>({ client, keyPrefix: 'answers:' }),
    });
    try {
      await answers.set('a', 1);
      await answers.set('b', 2);
      await client.set('other', 'kept'); // app:other
      expect((await client.keys('app:*')).sort()).toEqual(['app:answers:a', 'app:answers:b', 'app:other']);
      await answers.clear();
      expect(await client.keys('app:*')).toEqual(['app:other']);
      expect(await answers.has('a')).toBe(false);
    } finally {
      await answers.dispose();
      await client.close();
    }
  });
});

it('refuses a store with both or neither of url and client, or a createClient without url', () => {
  // Also a type check: node-redis 6's createClient and clients fit the options without a cast.
  const invalid = expect.objectContaining({ code: ErrorCode.INVALID_CONFIG });
  expect(() => redisStore({})).toThrow(invalid);
  expect(() => redisStore({ url: 'redis://127.0.0.1:1', client: createClient6() })).toThrow(invalid);
  expect(() => redisStore({ client: createClient6(), createClient: createClient6 })).toThrow(invalid);
  expect(() => redisStore({ url: 'redis://127.0.0.1:1', createClient: 'redis' as never })).toThrow(invalid);
  expect(() => redisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: 0 })).toThrow(
    'redisStore option commandTimeoutMs must be a finite number of milliseconds above 0, got 0',
  );
});
