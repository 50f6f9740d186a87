/**
 * What a cache keeps per key: the value and when it stops being fresh. Between `freshUntil` and the
 * store's hard expiry, the entry is stale and may be served while it is refreshed.
 */
export interface Entry<V> {
  readonly value: V;
  /** Milliseconds since the epoch; `Infinity` when the cache has no TTL. */
  readonly freshUntil: number;
}

/** Why a store removed an entry by itself. */
export type EvictionReason = 'evicted' | 'expired';

/** Hooks a cache gives its store. */
export interface StoreEvents {
  onEviction(reason: EvictionReason): void;
}

/** What every store has, synchronous or not. */
export interface StoreBase {
  /** A short description for `/health`: `memory` or `redis`. */
  readonly kind: string;
  /** Called once by the cache that owns the store. */
  attach(events: StoreEvents): void;
  /** Entries held now, when the store can tell cheaply. */
  size(): number | undefined;
  /** Releases what the store holds (timers, a connection it opened). */
  close(): Promise<void>;
}

/** A store answering synchronously (in memory). */
export interface SyncStore<V> extends StoreBase {
  readonly sync: true;
  get(key: string): Entry<V> | undefined;
  /** The value for `key` if it is present and fresh: the hot path of `MemoryCache.get` with a stale window. */
  getFresh(key: string): V | undefined;
  /**
   * The value for `key` if present, for a cache without a stale window (its entries expire at their TTL,
   * so a present entry is fresh): the hot path of `MemoryCache.get`.
   */
  getBare(key: string): V | undefined;
  set(key: string, entry: Entry<V>, hardTtlMs: number | undefined): void;
  delete(key: string): boolean;
  has(key: string): boolean;
  clear(): void;
}

/** A store answering asynchronously (over the network). Any operation may reject. */
export interface AsyncStore<V> extends StoreBase {
  readonly sync: false;
  get(key: string): Promise<Entry<V> | undefined>;
  set(key: string, entry: Entry<V>, hardTtlMs: number | undefined): Promise<void>;
  delete(key: string): Promise<boolean>;
  has(key: string): Promise<boolean>;
  clear(): Promise<void>;
  /** Whether the connection is usable now (connected, and not waiting on commands Redis left unanswered). */
  connected(): boolean;
  /** Why the store cannot be used now, for `/health` (`Redis has not answered 3 commands for 1200 ms`). */
  problem?(): string | undefined;
}

/** Any store. */
export type Store<V> = SyncStore<V> | AsyncStore<V>;
