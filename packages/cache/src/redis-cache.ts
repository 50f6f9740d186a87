import { BaseCache } from './base-cache.js';
import type { StoreOperation } from './cache-metrics.js';
import type { CacheOptions, EntryOptions } from './options.js';
import type { AsyncStore, Entry } from './store.js';
import { validateKey } from './validation.js';

/**
 * A cache on an asynchronous store (Redis): every operation returns a promise. A store failure is counted,
 * degrades health and, failing open (the default), reads as a miss or a skipped write, never an error.
 */
export class RemoteCache<V> extends BaseCache<V> {
  private readonly asyncStore: AsyncStore<V>;

  constructor(store: AsyncStore<V>, options: CacheOptions) {
    super(store, options);
    this.asyncStore = store;
  }

  /** The fresh value for `key`, or undefined. */
  async get(key: string): Promise<V | undefined> {
    validateKey(key);
    const entry = await this.lookup(key, false);
    return entry === undefined || this.isStale(entry) ? undefined : entry.value;
  }

  /**
   * Stores a value. `undefined`, a value the serializer refuses, and bad TTLs are refused with a typed error
   * before anything is sent.
   */
  async set(key: string, value: V, options?: EntryOptions): Promise<void> {
    validateKey(key);
    const { entry, hardTtlMs } = this.entryFor(value, options);
    this.overtake(key);
    await this.write(key, entry, hardTtlMs);
  }

  async has(key: string): Promise<boolean> {
    validateKey(key);
    return this.guarded('has', () => this.asyncStore.has(key), false);
  }

  async delete(key: string): Promise<boolean> {
    validateKey(key);
    this.overtake(key);
    return this.guarded('delete', () => this.asyncStore.delete(key), false);
  }

  /** Removes every entry under this store's key prefix. */
  async clear(): Promise<void> {
    await this.guarded('clear', () => this.asyncStore.clear(), undefined);
  }

  protected async lookup(key: string, staleIsHit: boolean): Promise<Entry<V> | undefined> {
    const entry = await this.guarded('get', () => this.asyncStore.get(key), undefined);
    this.countLookup(entry, staleIsHit);
    return entry;
  }

  protected async write(key: string, entry: Entry<V>, hardTtlMs: number | undefined): Promise<void> {
    const written = await this.guarded(
      'set',
      async () => {
        await this.asyncStore.set(key, entry, hardTtlMs);
        return true;
      },
      false,
    );
    if (written) this.metrics.sets.inc();
  }

  /** Runs a store operation; on failure, fails open with `fallback` or closed with a typed error. */
  private async guarded<T>(operation: StoreOperation, run: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const failure = this.storeFailed(operation, error);
      if (failure !== undefined) throw failure;
      return fallback;
    }
  }
}
