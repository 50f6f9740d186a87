import {
  ErrorCode,
  type HealthStatus,
  healthRegistry,
  type ReadinessGate,
  reportInstrumentationError,
  SightglassError,
  validateName,
} from '@sightglass/core';
import { CacheMetrics, type StoreOperation } from './cache-metrics.js';
import type {
  CacheOptions,
  EntryOptions,
  Loader,
  LoadOptions,
  WarmOptions,
  WarmReport,
  WarmSource,
} from './options.js';
import type { Entry, Store } from './store.js';
import { validateDuration, validateKey, validateValue } from './validation.js';
import { runWarmPass } from './warm.js';

/** How long a store failure keeps the cache's health degraded, in milliseconds. */
export const STORE_ERROR_MEMORY_MS = 30_000;

/**
 * What every cache does, whatever its store: load coalescing, stale-while-revalidate, load timeouts,
 * warming, metrics and health. Subclasses add `get`/`set`/`has`/`delete`/`clear` with the store's timing
 * (synchronous in memory, asynchronous on Redis).
 */
export abstract class BaseCache<V> {
  readonly name: string;
  protected readonly metrics: CacheMetrics;
  protected readonly ttlMs: number | undefined;
  protected readonly staleMs: number;
  private readonly loadTimeoutMs: number | undefined;
  protected readonly failClosed: boolean;
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly unregisterHealth: () => void;
  private lastStoreError: { message: string; at: number } | undefined;
  private warmTimer: NodeJS.Timeout | undefined;
  private warmGate: ReadinessGate | undefined;
  private warmState: { state: 'idle' | 'warming' | 'done'; last?: WarmReport; lastSuccess?: number } = {
    state: 'idle',
  };
  private readonly readinessWaitsForWarm: boolean;
  private disposed = false;

  protected constructor(
    protected readonly store: Store<V>,
    options: CacheOptions,
  ) {
    this.name = validateName(options?.name, 'Cache');
    this.ttlMs = validateDuration(options.ttlMs, 'ttlMs');
    this.staleMs = validateDuration(options.staleWhileRevalidateMs, 'staleWhileRevalidateMs') ?? 0;
    if (this.staleMs > 0 && this.ttlMs === undefined) {
      throw new SightglassError(ErrorCode.INVALID_ARGUMENT, 'staleWhileRevalidateMs needs ttlMs');
    }
    this.loadTimeoutMs = validateDuration(options.loadTimeoutMs, 'loadTimeoutMs');
    this.failClosed = options.onStoreError === 'fail-closed';
    this.readinessWaitsForWarm = options.readinessWaitsForWarm !== false;
    const windowMs = validateDuration(options.hitRateWindowMs, 'hitRateWindowMs') ?? 60_000;
    this.metrics = new CacheMetrics(this.name, () => store.size(), windowMs);
    store.attach({ onEviction: (reason) => this.metrics.eviction(reason) });
    this.unregisterHealth =
      options.health === false
        ? () => {}
        : this.registerHealth(typeof options.health === 'object' && options.health.critical === true);
  }

  /** Whether the cache is ready to serve: false from the first `warm()` until its first pass finishes. */
  get ready(): boolean {
    return this.warmGate === undefined || this.warmGate.isOpen;
  }

  /**
   * The value for `key`: from the cache when fresh; when stale within `staleWhileRevalidateMs`, the stale
   * value at once while one background load refreshes it; otherwise from `loader`, called once however many
   * callers miss the same key at the same time. A loader that throws or times out is not cached, is counted,
   * and its error reaches every caller waiting on it.
   */
  async getOrLoad(key: string, loader: Loader<V>, options: LoadOptions = {}): Promise<V> {
    validateKey(key);
    const ttlMs = validateDuration(options.ttlMs, 'ttlMs') ?? this.ttlMs;
    const timeoutMs = validateDuration(options.timeoutMs, 'timeoutMs') ?? this.loadTimeoutMs;
    const entry = await this.lookup(key);
    if (entry !== undefined) {
      if (!this.isStale(entry)) return entry.value;
      this.metrics.staleServed.inc();
      if (!this.inflight.has(key)) {
        this.load(key, loader, ttlMs, timeoutMs).catch(() => {
          // counted in load(); the stale value was served and stays until its hard expiry
        });
      }
      return entry.value;
    }
    return this.load(key, loader, ttlMs, timeoutMs);
  }

  /**
   * Loads entries now and, with `refreshEveryMs`, again after each pass. Resolves when the first pass is
   * done; never rejects (failures are counted, shown in `/health` and in the report).
   */
  async warm(source: WarmSource<V>, options: WarmOptions = {}): Promise<WarmReport> {
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new SightglassError(
        ErrorCode.INVALID_ARGUMENT,
        `warm concurrency must be a positive integer, got ${concurrency}`,
      );
    }
    const refreshEveryMs = validateDuration(options.refreshEveryMs, 'refreshEveryMs');
    clearTimeout(this.warmTimer);
    if (this.readinessWaitsForWarm && this.warmGate === undefined) {
      this.warmGate = healthRegistry().readinessGate(`cache ${this.name}`);
    }
    const pass = async (): Promise<WarmReport> => {
      this.warmState.state = 'warming';
      const report = await runWarmPass(source, concurrency, (item) =>
        this.load(validateKey(item.key), item.load, this.ttlMs, this.loadTimeoutMs),
      );
      this.metrics.warmEntries.add(report.loaded);
      this.metrics.warmFailures.add(report.failed);
      this.metrics.warmDuration(report.durationMs / 1000);
      this.warmState = { ...this.warmState, state: 'done', last: report };
      if (report.failed === 0) {
        this.warmState.lastSuccess = Date.now();
        this.metrics.lastWarmSuccess = Math.floor(this.warmState.lastSuccess / 1000);
      }
      this.warmGate?.open();
      if (refreshEveryMs !== undefined && !this.disposed) {
        this.warmTimer = setTimeout(() => void pass(), refreshEveryMs);
        this.warmTimer.unref();
      }
      return report;
    };
    return pass();
  }

  /** Stops warming, reporting and health checks, and closes a connection the store opened. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.warmTimer);
    this.warmGate?.dispose();
    this.unregisterHealth();
    this.metrics.dispose();
    await this.store.close();
  }

  /** The entry for `key` from the store (fresh or stale), counting a hit or a miss. */
  protected abstract lookup(key: string): Promise<Entry<V> | undefined>;

  /** Writes an entry; store failures are handled by the subclass (fail open or closed). */
  protected abstract write(key: string, entry: Entry<V>, hardTtlMs: number | undefined): Promise<void> | void;

  /** The entry to store for a value, and its hard TTL (fresh time plus the stale window). */
  protected entryFor(
    value: V,
    options: EntryOptions = {},
  ): { entry: Entry<V>; hardTtlMs: number | undefined } {
    const ttlMs = validateDuration(options.ttlMs, 'ttlMs') ?? this.ttlMs;
    validateValue(value);
    if (ttlMs === undefined)
      return { entry: { value, freshUntil: Number.POSITIVE_INFINITY }, hardTtlMs: undefined };
    // Without a stale window the store's own expiry is the only one, and no lookup needs the clock.
    const freshUntil = this.staleMs > 0 ? Date.now() + ttlMs : Number.POSITIVE_INFINITY;
    return { entry: { value, freshUntil }, hardTtlMs: ttlMs + this.staleMs };
  }

  protected isStale(entry: Entry<V>): boolean {
    return entry.freshUntil !== Number.POSITIVE_INFINITY && entry.freshUntil < Date.now();
  }

  /**
   * Records a store failure: counted, remembered for `/health`, and reported once per kind. Returns the
   * error to throw when the cache fails closed, or undefined when it fails open.
   */
  protected storeFailed(operation: StoreOperation, error: unknown): SightglassError | undefined {
    if (error instanceof SightglassError && error.code === ErrorCode.CACHE_INVALID_VALUE) throw error;
    this.metrics.storeError(operation);
    const message = error instanceof Error ? error.message : String(error);
    this.lastStoreError = { message: message.slice(0, 200), at: Date.now() };
    reportInstrumentationError(`cache "${this.name}" store ${operation}`, error);
    if (!this.failClosed) return undefined;
    return new SightglassError(
      ErrorCode.CACHE_STORE_UNAVAILABLE,
      `cache "${this.name}": the store failed on ${operation}: ${message}`,
      { cause: error },
    );
  }

  private load(
    key: string,
    loader: Loader<V>,
    ttlMs: number | undefined,
    timeoutMs: number | undefined,
  ): Promise<V> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const loading = this.runLoader(key, loader, ttlMs, timeoutMs).finally(() => this.inflight.delete(key));
    this.inflight.set(key, loading);
    return loading;
  }

  private async runLoader(
    key: string,
    loader: Loader<V>,
    ttlMs: number | undefined,
    timeoutMs: number | undefined,
  ): Promise<V> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const loaded = Promise.resolve().then(() => loader({ key, signal: controller.signal }));
      const value =
        timeoutMs === undefined
          ? await loaded
          : await Promise.race([
              loaded,
              new Promise<never>((_, reject) => {
                timer = setTimeout(() => {
                  const error = new SightglassError(
                    ErrorCode.CACHE_LOAD_TIMEOUT,
                    `cache "${this.name}": loading "${key.slice(0, 100)}" took longer than ${timeoutMs} ms`,
                  );
                  controller.abort(error);
                  reject(error);
                }, timeoutMs);
              }),
            ]);
      const { entry, hardTtlMs } = this.entryFor(value, { ttlMs });
      this.metrics.loadDuration((performance.now() - started) / 1000);
      await this.write(key, entry, hardTtlMs);
      return value;
    } catch (error) {
      this.metrics.loadFailures.inc();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private registerHealth(critical: boolean): () => void {
    return healthRegistry().register({
      component: 'cache',
      name: this.name,
      critical,
      check: () => {
        const connected = this.store.sync ? true : this.store.connected();
        const recentError =
          this.lastStoreError !== undefined && Date.now() - this.lastStoreError.at < STORE_ERROR_MEMORY_MS;
        const warmFailed = (this.warmState.last?.failed ?? 0) > 0;
        const troubled = !connected || recentError;
        const status: HealthStatus = troubled
          ? critical
            ? 'unhealthy'
            : 'degraded'
          : warmFailed
            ? 'degraded'
            : 'healthy';
        const rate = this.metrics.window.ratePercent();
        return {
          status,
          details: {
            hit_rate_percent: rate === undefined ? null : Math.round(rate * 10) / 10,
            entries: this.store.size() ?? null,
            ready: this.ready,
            store: {
              kind: this.store.kind,
              connected,
              errors: this.metrics.storeErrors,
              last_error: this.lastStoreError?.message ?? null,
              last_error_at: this.lastStoreError ? new Date(this.lastStoreError.at).toISOString() : null,
            },
            warm: {
              state: this.warmState.state,
              last_pass: this.warmState.last ?? null,
              last_success: this.warmState.lastSuccess
                ? new Date(this.warmState.lastSuccess).toISOString()
                : null,
            },
          },
        };
      },
    });
  }
}
