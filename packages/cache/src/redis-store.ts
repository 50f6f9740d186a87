import { ErrorCode, SightglassError } from '@sightglass/core';
import { reportInstrumentationError, validateNumber } from '@sightglass/core/internal';
import { InflightCommands } from './inflight-commands.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import type { AsyncStore, Entry } from './store.js';

/** The node-redis client calls this store makes (a `createClient()` client of node-redis 5 or 6 fits). */
export interface RedisClientLike {
  /** The client's options: a node-redis 6 `keyPrefix` there is taken into account by `clear()`. */
  readonly options?: object;
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
  /** Drops the connection at once, rejecting what is queued (node-redis 5 and 6). */
  destroy?(): void;
  /** node-redis 4's name for {@link destroy}. */
  disconnect?(): Promise<unknown>;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** What {@link redisStore} passes to `createClient` when it opens its own connection. */
export interface RedisConnectionOptions {
  /** The store's `url`. */
  url: string;
  /** Always `true`: a command while Redis is away fails at once rather than queueing. */
  disableOfflineQueue: boolean;
  socket: {
    /** How long one connection attempt may take, in milliseconds (2000). */
    connectTimeout: number;
    /** The wait before each reconnection, in milliseconds: 100, doubling up to 2000, forever. */
    reconnectStrategy: (retries: number) => number;
  };
}

/** Options of {@link redisStore}. */
export interface RedisStoreOptions<V> {
  /**
   * A Redis URL (`redis://127.0.0.1:6379`); the store opens and closes its own connection.
   * @default none: exactly one of `url` and `client` is required
   */
  url?: string;
  /**
   * With `url`, the node-redis `createClient` (5 or 6) that opens the store's connection, called with the
   * {@link RedisConnectionOptions}: pass your application's own when this package's `import('redis')` would
   * find another copy, or wrap it to add credentials or TLS.
   * @default `createClient` of `redis`, imported on first use
   */
  createClient?: (options: RedisConnectionOptions) => RedisClientLike;
  /**
   * Or a node-redis client you manage (connected or not); the store never closes it.
   * @default none: exactly one of `url` and `client` is required
   */
  client?: RedisClientLike;
  /**
   * Prepended to every key, so caches and applications can share one Redis.
   * @default `sightglass:`
   */
  keyPrefix?: string;
  /**
   * How values become strings.
   * @default strict JSON
   */
  serializer?: Serializer<V>;
  /**
   * How long one Redis operation may take before it counts as failed, in milliseconds (whatever the
   * client: the store times operations itself): a cache that waits longer than its loader would is no
   * cache. While an operation that timed out is still unanswered, the commands behind it on the connection
   * would wait too, so the store fails at once until Redis answers it.
   * @default 500
   */
  commandTimeoutMs?: number;
  /**
   * How long `close()` (the cache's `dispose()`) waits for operations still in flight before it drops the
   * connection it opened, in milliseconds. A frozen Redis, or an address that accepts connections and never
   * answers, cannot hold a shutdown longer than this: the connection is destroyed, the operations still
   * waiting fail, and the store reports it (it does not throw).
   * @default 1000
   */
  closeTimeoutMs?: number;
}

function unavailable(message: string): SightglassError {
  return new SightglassError(ErrorCode.CACHE_STORE_UNAVAILABLE, message);
}

/**
 * A store on Redis (node-redis 5 or 6), so that many instances of a service share one cache. An entry is one
 * string key holding `freshUntil` and the serialized value, with a Redis expiry at the hard TTL.
 *
 * Every operation is bounded by `commandTimeoutMs` (node-redis's own timeout stops once a command is on the
 * socket, so a Redis that stops answering would otherwise hang the caller). While Redis is unreachable,
 * operations fail at once instead of waiting for the connection: a cache must answer from its loader.
 * `redis` is loaded only when a store connects with `url` and no `createClient`, so the memory cache works
 * without it installed.
 */
export function redisStore<V>(options: RedisStoreOptions<V>): AsyncStore<V> {
  if ((options?.url === undefined) === (options?.client === undefined)) {
    throw new SightglassError(ErrorCode.INVALID_CONFIG, 'redisStore takes either url or client');
  }
  if (
    options.createClient !== undefined &&
    (options.url === undefined || typeof options.createClient !== 'function')
  ) {
    throw new SightglassError(
      ErrorCode.INVALID_CONFIG,
      'redisStore takes createClient only with url, as a function (a client you pass is used as it is)',
    );
  }
  const prefix = options.keyPrefix ?? 'sightglass:';
  const serializer = (options.serializer ?? jsonSerializer) as Serializer<V>;
  const timeout = timeoutOption(options.commandTimeoutMs, 'commandTimeoutMs') ?? 500;
  const closeTimeout = timeoutOption(options.closeTimeoutMs, 'closeTimeoutMs') ?? 1000;
  const owned = options.client === undefined;
  let client: RedisClientLike | undefined = options.client;
  let closed = false;
  let closing: Promise<void> | undefined;
  let connecting: Promise<unknown> | undefined;
  let firstAttempt = true;
  const inflight = new InflightCommands();

  const open = async (): Promise<RedisClientLike> => {
    if (client === undefined) {
      const createClient = options.createClient ?? (await import('redis')).createClient;
      client = createClient({
        url: options.url!,
        disableOfflineQueue: true,
        socket: {
          connectTimeout: 2000,
          reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
        },
      });
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
      .then((opened) => (opened.isOpen || closed ? undefined : opened.connect()))
      .finally(() => {
        connecting = undefined;
        firstAttempt = false;
      });
    return connecting;
  };

  /** Why an operation cannot be sent now, or undefined when it can. */
  const blocked = (): string | undefined => {
    const late = inflight.unanswered;
    if (late === 0) return undefined;
    const forMs = Date.now() - inflight.unansweredSince;
    return `Redis has not answered ${late} command${late === 1 ? '' : 's'} in ${forMs} ms`;
  };

  /**
   * Runs an operation within the timeout, or fails at once while Redis is known to be away or a command
   * that timed out is still unanswered (what is sent after it would wait behind it). `single`: the operation
   * is one command, so past its timeout it holds up the connection; a `clear()` is many, and others pass
   * between them.
   */
  const run = async <T>(operation: (redis: RedisClientLike) => Promise<T>, single = true): Promise<T> => {
    if (closed) throw unavailable('the cache was disposed');
    const stuck = blocked();
    if (stuck !== undefined) throw unavailable(stuck);
    let timer: NodeJS.Timeout | undefined;
    let timedOut: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut?.();
        reject(unavailable(`Redis did not answer within ${timeout} ms`));
      }, timeout);
    });
    try {
      if (!(client?.isReady ?? false)) {
        // Only the very first connection is waited for (within the timeout); after that an unreachable
        // Redis fails fast while node-redis reconnects in the background.
        if (!firstAttempt) throw unavailable('Redis is not reachable');
        await Promise.race([connect(), deadline]);
        if (!client?.isReady) throw unavailable('Redis is not reachable');
      }
      const sent = operation(client!);
      const late = inflight.track(sent);
      if (single) timedOut = late;
      return await Promise.race([sent, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** Drops the connection at once (what is still queued fails), whatever the node-redis major. */
  const destroy = (redis: RedisClientLike): void => {
    try {
      if (redis.destroy !== undefined) redis.destroy();
      else void redis.disconnect?.().catch(() => undefined);
    } catch {
      // node-redis 5 throws ClientClosedError when a close() already began; its queue is flushed by then
    }
  };

  /**
   * Closes the connection the store opened: at once when nothing is in flight; else once what is in flight
   * was answered, or after `closeTimeoutMs`, forcibly (reported, never thrown).
   */
  const close = async (): Promise<void> => {
    closed = true;
    const redis = client;
    if (!owned || redis === undefined || !redis.isOpen) return;
    // Not ready (connecting, reconnecting, or a server that accepted and never answered the handshake):
    // nothing of ours can be waiting, so there is nothing to wait for.
    if (!redis.isReady) return destroy(redis);
    const drained = await inflight.drained(closeTimeout);
    if (drained) {
      // Nothing is queued, so node-redis closes at once; bounded all the same.
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        Promise.resolve((redis.close ?? redis.quit)?.call(redis)).then(
          () => true,
          () => true,
        ),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), closeTimeout);
        }),
      ]);
      clearTimeout(timer);
      if (graceful) return;
    }
    const waiting = inflight.size;
    destroy(redis);
    reportInstrumentationError(
      'cache store redis close',
      unavailable(
        `Redis did not answer within closeTimeoutMs (${closeTimeout} ms): the connection was dropped` +
          (waiting > 0 ? `, failing ${waiting} operation${waiting === 1 ? '' : 's'} still in flight` : ''),
      ),
    );
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
        // node-redis 6 prepends a client's `keyPrefix` to the keys it sends, but not to a SCAN pattern, and
        // SCAN answers the stored keys, prefixed: match the whole stored key and strip the prefix before DEL.
        const own = clientKeyPrefix(redis);
        const pattern = `${escapeGlob(own + prefix)}*`;
        for await (const found of redis.scanIterator({ MATCH: pattern, COUNT: 500 })) {
          const keys = (Array.isArray(found) ? found : [found]).map((key) => String(key).slice(own.length));
          if (keys.length > 0) await redis.del(keys);
        }
      }, false),
    size: () => undefined,
    connected: () => (client?.isReady ?? false) && inflight.unanswered === 0,
    problem() {
      if (closed) return 'the store was closed';
      const stuck = blocked();
      if (stuck !== undefined) return stuck;
      if (client?.isReady ?? false) return undefined;
      return firstAttempt ? 'connecting to Redis' : 'Redis is not reachable; reconnecting';
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}

/** Checks a timeout option: a finite number of milliseconds above 0, or undefined for the default. */
function timeoutOption(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  return validateNumber(value, `redisStore option ${what}`, {
    code: ErrorCode.INVALID_CONFIG,
    above: 0,
    unit: 'milliseconds',
  });
}

/** The `keyPrefix` node-redis 6 adds to every key a client sends (none before 6), as a string. */
function clientKeyPrefix(client: RedisClientLike): string {
  const keyPrefix = (client.options as { keyPrefix?: unknown } | undefined)?.keyPrefix;
  return keyPrefix === undefined || keyPrefix === null ? '' : String(keyPrefix);
}

/** Escapes Redis glob characters so a prefix matches only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
