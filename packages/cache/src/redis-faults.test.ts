/**
 * The Redis store when Redis stops answering: a frozen redis-server (SIGSTOP), and an address that accepts
 * connections and never answers. A miss must not wait for its write, `/health` must say what is wrong, and
 * `dispose()` must return within `closeTimeoutMs`. With each node-redis major, against a real redis-server.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { healthRegistry } from '@sightglass/core';
import { type RunningRedis, redisBinary, startRedis, waitFor } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCache } from './create-cache.js';
import type { CacheOptions } from './options.js';
import type { RemoteCache } from './redis-cache.js';
import { type RedisStoreOptions, redisStore } from './redis-store.js';
import { cacheSeries } from './test-support/metrics.js';
import { REDIS_VERSIONS } from './test-support/redis-versions.js';

const binary = redisBinary();

/** How long `work` took, in milliseconds, and what it gave. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** `promise`, or `'still waiting'` once `ms` passed: a hang fails the test instead of timing it out. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<'still waiting'>((resolve) => {
      timer = setTimeout(() => resolve('still waiting'), ms);
    }),
  ]);
}

const logged: string[] = [];
const logger = { error: (message: string) => logged.push(message) } as unknown as DiagLogger;
beforeAll(() => {
  diag.setLogger({ ...logger, warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);
});
afterAll(() => diag.disable());

describe.skipIf(binary === undefined).each(REDIS_VERSIONS)(
  'a Redis that stops answering, with %s',
  (version, { createClient }) => {
    let redis: RunningRedis;
    const caches: Array<RemoteCache<unknown>> = [];
    beforeAll(async () => {
      redis = await startRedis(binary!);
    });
    afterAll(() => redis?.dispose());
    afterEach(async () => {
      redis.resume();
      for (const cache of caches.splice(0)) await cache.dispose();
    });
    const named = (name: string) => `${name}-${version.replace(/\D/g, '')}`;
    function cache<V>(
      name: string,
      options: Partial<CacheOptions> = {},
      store: Partial<RedisStoreOptions<V>> = {},
    ): RemoteCache<V> {
      const created = createCache<V>({
        name: named(name),
        store: redisStore<V>({ url: redis.url, keyPrefix: `faults:${name}:`, createClient, ...store }),
        ...options,
      });
      caches.push(created as RemoteCache<unknown>);
      return created;
    }
    const health = async (name: string) =>
      (await healthRegistry().evaluate()).components.cache?.[named(name)];

    it('answers a miss without waiting for its write, then fails fast behind the unanswered command', async () => {
      const answers = cache<string>('frozen-miss', { ttlMs: 60_000 }, { commandTimeoutMs: 1000 });
      await answers.set('before', 'cached');
      redis.pause();
      // The lookup waits its 1000 ms timeout; before, the write then waited another 1000 ms.
      const first = await timed(() => answers.getOrLoad('a', () => 'loaded'));
      expect(first.value).toBe('loaded');
      expect(first.ms).toBeLessThan(1700);
      // Redis answers a connection's commands in order: what is sent behind an unanswered one waits too.
      const second = await timed(() => answers.getOrLoad('b', () => 'loaded too'));
      expect(second.value).toBe('loaded too');
      expect(second.ms).toBeLessThan(300);
      await waitFor('the write to be counted as failed', async () =>
        (cacheSeries(named('frozen-miss')).errors('set') ?? 0) >= 1 ? true : undefined,
      );
      expect(await health('frozen-miss')).toMatchObject({
        status: 'degraded',
        details: {
          store: { kind: 'redis', connected: false, reason: expect.stringMatching(/has not answered/) },
        },
      });

      redis.resume();
      await waitFor('the cache to use Redis again', async () => {
        await answers.set('after', 'back');
        return (await answers.get('after')) === 'back' ? true : undefined;
      });
      expect(await answers.get('before')).toBe('cached');
      expect(await health('frozen-miss')).toMatchObject({
        details: { store: { connected: true, pending_writes: 0 } },
      });
    });

    it('disposes within closeTimeoutMs while Redis is frozen, dropping the connection', async () => {
      const answers = cache<string>('frozen-dispose', {}, { commandTimeoutMs: 200, closeTimeoutMs: 300 });
      await answers.set('k', 'v');
      redis.pause();
      expect(await answers.get('k')).toBeUndefined(); // timed out; the GET is still waiting on the socket
      const disposing = timed(() => answers.dispose());
      expect(await within(disposing, 5_000)).not.toBe('still waiting');
      expect((await disposing).ms).toBeLessThan(1_500);
      expect(logged.some((line) => line.includes('cache store redis close'))).toBe(true);
      // Dropped, not left open: once Redis runs again, it sees the hang-up and only the checker is left.
      redis.resume();
      const checker = createClient({ url: redis.url });
      await checker.connect();
      try {
        await waitFor('Redis to see the connection dropped', async () => {
          const clients = String(await checker.sendCommand(['CLIENT', 'LIST']))
            .trim()
            .split('\n');
          return clients.length === 1 ? true : undefined;
        });
      } finally {
        await checker.close();
      }
    });

    it('disposes within closeTimeoutMs when the address accepts and never answers', async () => {
      const sockets = new Set<Socket>();
      const silent: Server = createServer((socket) => {
        sockets.add(socket);
        socket.resume(); // reads what the client sends and never answers (and sees it hang up)
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as { port: number }).port;
        const answers = createCache<string>({
          name: named('silent-dispose'),
          store: redisStore<string>({
            url: `redis://127.0.0.1:${port}`,
            createClient,
            commandTimeoutMs: 200,
            closeTimeoutMs: 300,
          }),
        });
        expect(await answers.getOrLoad('k', () => 'loaded')).toBe('loaded'); // the handshake never ends
        await waitFor('the connection to be accepted', async () => (sockets.size > 0 ? true : undefined));
        expect(await within(answers.dispose(), 5_000)).not.toBe('still waiting');
        await waitFor('the connection to be dropped', async () => (sockets.size === 0 ? true : undefined));
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    });

    it('finds a loaded value with the next lookup, though its write was not waited for', async () => {
      const answers = cache<string>('write-behind');
      expect(await answers.getOrLoad('k', () => 'loaded')).toBe('loaded');
      expect(await answers.get('k')).toBe('loaded'); // sent after the SET on the same connection
      await waitFor('the write to be counted', async () =>
        cacheSeries(named('write-behind')).sets === 1 ? true : undefined,
      );
    });
  },
);
