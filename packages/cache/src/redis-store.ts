import { ErrorCode, SightglassError } from '@sightglass/core';
import { jsonSerializer, type Serializer } from './serializer.js';
import type { AsyncStore, Entry } from './store.js';

/** The node-redis client calls this store makes (a `createClient()` client, or your own, fits). */
export interface RedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  get(key: string): Promise<string | null | unknown>;
  set(key: string, value: string, options?: { PX?: number }): Promise<unknown>;
  del(keys: string | string[]): Promise<number | unknown>;
  exists(keys: string | string[]): Promise<number | unknown>;
  scanIterator(options: { MATCH: string; COUNT?: number }): AsyncIterable<string[] | string>;
  connect(): Promise<unknown>;
  close?(): Promise<unknown>;
  quit?(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions<V> {
  /** A Redis URL (`redis://127.0.0.1:6379`); the store opens and closes its own connection. */
  url?: string;
  /** Or a node-redis client you manage (connected or not); the store never closes it. */
  client?: RedisClientLike;
  /** Prepended to every key, so caches and applications can share one Redis. Default `sightglass:`. */
  keyPrefix?: string;
  /** How values become strings. Default strict JSON. */
  serializer?: Serializer<V>;
  /**
   * How long one Redis operation may take before it counts as failed, in milliseconds (whatever the
   * client: the store times operations itself). Default 500: a cache that waits longer than its loader
   * would is no cache.
   */
  commandTimeoutMs?: number;
}

function unavailable(message: string): SightglassError {
  return new SightglassError(ErrorCode.CACHE_STORE_UNAVAILABLE, message);
}

/**
 * A store on Redis (node-redis 5), so that many instances of a service share one cache. An entry is one
 * string key holding `freshUntil` and the serialized value, with a Redis expiry at the hard TTL.
 *
 * Every operation is bounded by `commandTimeoutMs` (node-redis's own timeout stops once a command is on the
 * socket, so a Redis that stops answering would otherwise hang the caller). While Redis is unreachable,
 * operations fail at once instead of waiting for the connection: a cache must answer from its loader.
 * `redis` is loaded only when a store connects with `url`, so the memory cache works without it installed.
 */
export function redisStore<V>(options: RedisStoreOptions<V>): AsyncStore<V> {
  if ((options?.url === undefined) === (options?.client === undefined)) {
    throw new SightglassError(ErrorCode.INVALID_ARGUMENT, 'redisStore takes either url or client');
  }
  const prefix = options.keyPrefix ?? 'sightglass:';
  const serializer = (options.serializer ?? jsonSerializer) as Serializer<V>;
  const timeout = options.commandTimeoutMs ?? 500;
  const owned = options.client === undefined;
  let client: RedisClientLike | undefined = options.client;
  let closed = false;
  let connecting: Promise<unknown> | undefined;
  let firstAttempt = true;

  const open = async (): Promise<RedisClientLike> => {
    if (client === undefined) {
      const { createClient } = await import('redis');
      client = createClient({
        url: options.url,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: 2000,
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
        },
      }) as unknown as RedisClientLike;
      // node-redis emits 'error' on every failed reconnect; unheard, that would crash the process. (A client
      // you pass in is left as it is: its 'error' events stay yours.)
      client.on('error', () => {
        firstAttempt = false;
      });
    }
    return client;
  };
  const connect = (): Promise<unknown> => {
    connecting ??= open()
      .then((opened) => (opened.isOpen ? undefined : opened.connect()))
      .finally(() => {
        connecting = undefined;
        firstAttempt = false;
      });
    return connecting;
  };

  /** Runs an operation within the timeout, or fails at once while Redis is known to be away. */
  const run = async <T>(operation: (redis: RedisClientLike) => Promise<T>): Promise<T> => {
    if (closed) throw unavailable('the cache was disposed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(`Redis did not answer within ${timeout} ms`)), timeout);
    });
    try {
      if (!(client?.isReady ?? false)) {
        // Only the very first connection is waited for (within the timeout); after that an unreachable
        // Redis fails fast while node-redis reconnects in the background.
        if (!firstAttempt) throw unavailable('Redis is not reachable');
        await Promise.race([connect(), deadline]);
        if (!client?.isReady) throw unavailable('Redis is not reachable');
      }
      return await Promise.race([operation(client!), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  const encode = (entry: Entry<V>): string => `${entry.freshUntil}\n${serializer.serialize(entry.value)}`;
  const decode = (text: string): Entry<V> => {
    const newline = text.indexOf('\n');
    const freshUntil = Number(text.slice(0, newline));
    return { freshUntil, value: serializer.deserialize(text.slice(newline + 1)) };
  };

  // Connect at once, so that /health shows the connection before the first lookup.
  if (!(client?.isOpen ?? false)) connect().catch(() => {});

  return {
    kind: 'redis',
    sync: false,
    attach() {
      // Redis evicts and expires on its own, unseen: no eviction counts for this store.
    },
    get: (key) =>
      run(async (redis) => {
        const text = await redis.get(prefix + key);
        return typeof text === 'string' ? decode(text) : undefined;
      }),
    async set(key, entry, hardTtlMs) {
      const text = encode(entry); // serialize first: a bad value fails before anything is sent
      await run((redis) =>
        redis.set(
          prefix + key,
          text,
          hardTtlMs === undefined ? undefined : { PX: Math.max(1, Math.ceil(hardTtlMs)) },
        ),
      );
    },
    delete: (key) => run(async (redis) => Number(await redis.del(prefix + key)) > 0),
    has: (key) => run(async (redis) => Number(await redis.exists(prefix + key)) > 0),
    clear: () =>
      run(async (redis) => {
        for await (const found of redis.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 500 })) {
          const keys = Array.isArray(found) ? found : [found];
          if (keys.length > 0) await redis.del(keys);
        }
      }),
    size: () => undefined,
    connected: () => client?.isReady ?? false,
    async close() {
      closed = true;
      if (!owned || client === undefined || !client.isOpen) return;
      await (client.close ?? client.quit)?.call(client).catch(() => undefined);
    },
  };
}

/** Escapes Redis glob characters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
