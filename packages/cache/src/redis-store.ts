import { ErrorCode, SightglassError } from '@sightglass/core';
import { createClient, type RedisClientType } from 'redis';
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
   * How long one Redis command may take before it counts as failed, in milliseconds (with a client the
   * store opens). Default 500: a cache that waits longer than its loader would is no cache.
   */
  commandTimeoutMs?: number;
}

/**
 * A store on Redis (node-redis 5), so that many instances of a service share one cache. An entry is one
 * string key holding `freshUntil` and the serialized value, with a Redis expiry at the hard TTL.
 *
 * A store that opens its own connection does not queue commands while disconnected (`disableOfflineQueue`)
 * and times out slow commands, so that a Redis outage turns lookups into fast misses instead of hangs.
 */
export function redisStore<V>(options: RedisStoreOptions<V>): AsyncStore<V> {
  if ((options?.url === undefined) === (options?.client === undefined)) {
    throw new SightglassError(ErrorCode.INVALID_ARGUMENT, 'redisStore takes either url or client');
  }
  const prefix = options.keyPrefix ?? 'sightglass:';
  const serializer = (options.serializer ?? jsonSerializer) as Serializer<V>;
  const owned = options.client === undefined;
  const timeout = options.commandTimeoutMs ?? 500;
  const client: RedisClientLike =
    options.client ??
    (createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandOptions: { timeout },
      socket: {
        connectTimeout: 2000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
      },
    }) as unknown as RedisClientType as unknown as RedisClientLike);
  // node-redis emits 'error' on every failed reconnect; without a listener that would crash the process.
  client.on('error', () => {});
  let connecting: Promise<unknown> | undefined;
  const connect = (): Promise<unknown> => {
    connecting ??= client.connect().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  // Ready for a command now, or a fast failure: while Redis is away (down at start-up, or reconnecting),
  // the cache must answer from its loader rather than wait for the connection.
  const ready = async (): Promise<void> => {
    if (client.isReady) return;
    if (connecting !== undefined || !client.isOpen) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          connect(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(new SightglassError(ErrorCode.CACHE_STORE_UNAVAILABLE, 'Redis is not reachable yet')),
              timeout,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
      return;
    }
    throw new SightglassError(ErrorCode.CACHE_STORE_UNAVAILABLE, 'Redis is reconnecting');
  };
  // Connect at once, so that /health shows the connection before the first lookup.
  if (!client.isOpen) connect().catch(() => {});
  const encode = (entry: Entry<V>): string => `${entry.freshUntil}\n${serializer.serialize(entry.value)}`;
  const decode = (text: string): Entry<V> => {
    const newline = text.indexOf('\n');
    const freshUntil = Number(text.slice(0, newline));
    return { freshUntil, value: serializer.deserialize(text.slice(newline + 1)) };
  };

  return {
    kind: 'redis',
    sync: false,
    attach() {
      // Redis evicts and expires on its own, unseen: no eviction counts for this store.
    },
    async get(key) {
      await ready();
      const text = await client.get(prefix + key);
      return typeof text === 'string' ? decode(text) : undefined;
    },
    async set(key, entry, hardTtlMs) {
      const text = encode(entry); // serialize first: a bad value fails before anything is sent
      await ready();
      await client.set(
        prefix + key,
        text,
        hardTtlMs === undefined ? undefined : { PX: Math.max(1, Math.ceil(hardTtlMs)) },
      );
    },
    async delete(key) {
      await ready();
      return Number(await client.del(prefix + key)) > 0;
    },
    async has(key) {
      await ready();
      return Number(await client.exists(prefix + key)) > 0;
    },
    async clear() {
      await ready();
      for await (const found of client.scanIterator({ MATCH: `${escapeGlob(prefix)}*`, COUNT: 500 })) {
        const keys = Array.isArray(found) ? found : [found];
        if (keys.length > 0) await client.del(keys);
      }
    },
    size: () => undefined,
    connected: () => client.isReady,
    async close() {
      if (!owned || !client.isOpen) return;
      await (client.close ?? client.quit)?.call(client);
    },
  };
}

/** Escapes Redis glob characters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
