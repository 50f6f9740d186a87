import { context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ErrorCode,
  HealthComponent,
  type HealthStatus,
  healthRegistry,
  type ReadinessGate,
  SIGHTGLASS_VERSION,
  SightglassError,
} from '@sightglass/core';
import {
  ATTR_ERROR_TYPE,
  addSpanEvent,
  recordingSpan,
  reportInstrumentationError,
  spanErrorType,
  validateInteger,
  validateName,
  validateNumber,
} from '@sightglass/core/internal';
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
import {
  ATTR_CACHE_NAME,
  EVENT_CACHE_COALESCED,
  EVENT_CACHE_HIT,
  EVENT_CACHE_MISS,
  EVENT_CACHE_STALE,
  SPAN_CACHE_LOAD,
} from './span-attributes.js';
import type { Entry, Store } from './store.js';
import { validateDuration, validateKey, validatePositiveDuration, validateValue } from './validation.js';
import { runWarmPass } from './warm.js';

/** How long a store failure keeps the cache's health degraded, in milliseconds. */
export const STORE_ERROR_MEMORY_MS = 30_000;

/**
 * The most writes of loaded values an asynchronous store (Redis) may have running in the background at once:
 * past that, a miss skips its write (counted as a `set` error), so a slow store cannot pile them up.
 */
export const MAX_PENDING_WRITES = 256;

/**
 * What every cache does, whatever its store: load coalescing, stale-while-revalidate, load timeouts,
 * warming, metrics and health. Subclasses add `get`/`set`/`has`/`delete`/`clear` with the store's timing
 * (synchronous in memory, asynchronous on Redis).
 */
export abstract class BaseCache<V> {
  readonly name: string;
  /** @internal */
  protected readonly metrics: CacheMetrics;
  protected readonly ttlMs: number | undefined;
  protected readonly staleMs: number;
  private readonly loadTimeoutMs: number | undefined;
  protected readonly failClosed: boolean;
  private readonly inflight = new Map<string, Promise<V>>();
  private readonly unregisterHealth: () => void;
  private lastStoreError: { operation: StoreOperation; message: string; at: number } | undefined;
  /** Writes of loaded values still running in the background (asynchronous stores only). */
  private pendingWrites = 0;
  private warmTimer: NodeJS.Timeout | undefined;
  private warmGeneration = 0;
  private warmGate: ReadinessGate | undefined;
  /** Keys written or deleted while a load of theirs was running: that load must not overwrite them. */
  private readonly overtaken = new Set<string>();
  private warmState: {
    state: 'idle' | 'warming' | 'done';
    last?: WarmReport;
    lastAt?: number;
    lastSuccess?: number;
  } = { state: 'idle' };
  private readonly readinessWaitsForWarm: boolean;
  private readonly traceHits: boolean;
  private disposed = false;

  protected constructor(
    protected readonly store: Store<V>,
    options: CacheOptions,
  ) {
    this.name = validateName(options?.name, 'Cache');
    this.ttlMs = validatePositiveDuration(options.ttlMs, 'ttlMs', ErrorCode.INVALID_CONFIG);
    this.staleMs =
      validateDuration(options.staleWhileRevalidateMs, 'staleWhileRevalidateMs', ErrorCode.INVALID_CONFIG) ??
      0;
    if (this.staleMs > 0 && this.ttlMs === undefined) {
      throw new SightglassError(ErrorCode.INVALID_CONFIG, 'staleWhileRevalidateMs needs ttlMs');
    }
    this.loadTimeoutMs = validateDuration(options.loadTimeoutMs, 'loadTimeoutMs', ErrorCode.INVALID_CONFIG);
    this.failClosed = options.onStoreError === 'fail-closed';
    this.readinessWaitsForWarm = options.readinessWaitsForWarm !== false;
    this.traceHits = options.traceHits === true;
    const windowMs =
      options.hitRateWindowMs === undefined
        ? 60_000
        : validateNumber(options.hitRateWindowMs, 'hitRateWindowMs', {
            code: ErrorCode.INVALID_CONFIG,
            min: 1000,
            unit: 'milliseconds',
          });
    // Health first: a name already taken fails here, before any series or timer exists.
    this.unregisterHealth =
      options.health === false
        ? () => {}
        : this.registerHealth(typeof options.health === 'object' && options.health.critical === true);
    this.metrics = new CacheMetrics(this.name, () => store.size(), windowMs);
    store.attach({ onEviction: (reason) => this.metrics.eviction(reason) });
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
   *
   * On a recording active span it adds one event, `sightglass.cache.stale`, `.miss` or `.coalesced` (a miss
   * that waits on another caller's load), or `.hit` with the `traceHits` option, and a load it starts runs in
   * a `cache.load` child span.
   */
  async getOrLoad(key: string, loader: Loader<V>, options: LoadOptions = {}): Promise<V> {
    validateKey(key);
    const ttlMs = validatePositiveDuration(options.ttlMs, 'ttlMs', ErrorCode.INVALID_ARGUMENT) ?? this.ttlMs;
    const timeoutMs =
      validateDuration(options.timeoutMs, 'timeoutMs', ErrorCode.INVALID_ARGUMENT) ?? this.loadTimeoutMs;
    const entry = await this.lookup(key, true);
    if (entry !== undefined && !this.isStale(entry)) {
      // A fresh hit reads no context unless asked to: the lookup would cost more than the hit's own work.
      if (this.traceHits) {
        const span = recordingSpan();
        if (span !== undefined) this.spanEvent(span, EVENT_CACHE_HIT);
      }
      return entry.value;
    }
    // Once per call, after the lookup (the caller's context again): undefined, and nothing built, unless
    // the caller's span is recording.
    const span = recordingSpan();
    if (entry !== undefined) {
      this.metrics.staleServed.inc();
      if (span !== undefined) this.spanEvent(span, EVENT_CACHE_STALE);
      if (!this.inflight.has(key)) {
        this.load(key, loader, ttlMs, timeoutMs, span).catch(() => {
          // counted in load(); the stale value was served and stays until its hard expiry
        });
      }
      return entry.value;
    }
    if (span !== undefined) {
      this.spanEvent(span, this.inflight.has(key) ? EVENT_CACHE_COALESCED : EVENT_CACHE_MISS);
    }
    return this.load(key, loader, ttlMs, timeoutMs, span);
  }

  /**
   * Loads entries now and, with `refreshEveryMs`, again after each pass. Resolves when the first pass is
   * done; never rejects (failures are counted, shown in `/health` and in the report).
   */
  async warm(source: WarmSource<V>, options: WarmOptions = {}): Promise<WarmReport> {
    if (this.disposed)
      throw new SightglassError(ErrorCode.INVALID_ARGUMENT, `cache "${this.name}" was disposed`);
    const concurrency = validateInteger(options.concurrency ?? 4, 'warm concurrency', {
      code: ErrorCode.INVALID_ARGUMENT,
      min: 1,
    });
    const refreshEveryMs = validatePositiveDuration(
      options.refreshEveryMs,
      'warm refreshEveryMs',
      ErrorCode.INVALID_ARGUMENT,
    );
    // A new warm() replaces the previous schedule: a pass still running finishes but schedules nothing more.
    const generation = ++this.warmGeneration;
    clearTimeout(this.warmTimer);
    if (this.readinessWaitsForWarm && this.warmGate === undefined) {
      this.warmGate = healthRegistry().readinessGate(`cache ${this.name}`);
    }
    const pass = async (): Promise<WarmReport> => {
      this.warmState.state = 'warming';
      const report = await runWarmPass(source, concurrency, (item) =>
        this.load(validateKey(item.key), item.load, this.ttlMs, this.loadTimeoutMs, recordingSpan()),
      );
      if (this.disposed) return report;
      this.metrics.warmEntries.add(report.loaded);
      this.metrics.warmFailures.add(report.failed);
      this.metrics.warmDuration(report.durationMs / 1000);
      this.warmState = { ...this.warmState, state: 'done', last: report, lastAt: Date.now() };
      if (report.failed === 0) {
        this.warmState.lastSuccess = Date.now();
        this.metrics.lastWarmSuccess = Math.floor(this.warmState.lastSuccess / 1000);
      }
      this.warmGate?.open();
      if (refreshEveryMs !== undefined && generation === this.warmGeneration) {
        // A later pass belongs to no request: its loads get no span, not children of warm()'s caller.
        this.warmTimer = setTimeout(() => void context.with(ROOT_CONTEXT, pass), refreshEveryMs);
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
    this.warmGeneration++;
    clearTimeout(this.warmTimer);
    this.warmGate?.dispose();
    this.unregisterHealth();
    this.metrics.dispose();
    try {
      await this.store.close();
    } catch (error) {
      reportInstrumentationError(`cache "${this.name}" dispose`, error);
    }
  }

  /**
   * The entry for `key` from the store, counting a hit or a miss: with `staleIsHit`, any entry found is a
   * hit (`getOrLoad` serves a stale one); without, a stale entry is a miss (`get` never serves it).
   */
  protected abstract lookup(key: string, staleIsHit: boolean): Promise<Entry<V> | undefined>;

  /** Marks a key written or deleted directly, so a load running for it does not overwrite that. */
  protected overtake(key: string): void {
    if (this.inflight.has(key)) this.overtaken.add(key);
  }

  /** Counts a lookup's outcome. */
  protected countLookup(entry: Entry<V> | undefined, staleIsHit: boolean): void {
    if (this.disposed) return;
    if (entry !== undefined && (staleIsHit || !this.isStale(entry))) this.metrics.hit();
    else this.metrics.miss();
  }

  /** Writes an entry; store failures are handled by the subclass (fail open or closed). */
  protected abstract write(key: string, entry: Entry<V>, hardTtlMs: number | undefined): Promise<void> | void;

  /** The entry to store for a value, and its hard TTL (fresh time plus the stale window). */
  protected entryFor(
    value: V,
    options: EntryOptions = {},
  ): { entry: Entry<V>; hardTtlMs: number | undefined } {
    const ttlMs = validatePositiveDuration(options.ttlMs, 'ttlMs', ErrorCode.INVALID_ARGUMENT) ?? this.ttlMs;
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
   * @internal
   */
  protected storeFailed(operation: StoreOperation, error: unknown): SightglassError | undefined {
    if (error instanceof SightglassError && error.code === ErrorCode.CACHE_INVALID_VALUE) throw error;
    if (!this.disposed) this.metrics.storeError(operation);
    const message = error instanceof Error ? error.message : String(error);
    this.lastStoreError = { operation, message: message.slice(0, 200), at: Date.now() };
    reportInstrumentationError(`cache "${this.name}" store ${operation}`, error);
    if (!this.failClosed) return undefined;
    return new SightglassError(
      ErrorCode.CACHE_STORE_UNAVAILABLE,
      `cache "${this.name}": the store failed on ${operation}: ${message}`,
      { cause: error },
    );
  }

  /** Adds a cache event to a recording span. */
  private spanEvent(span: Span, name: string): void {
    addSpanEvent(span, name, { [ATTR_CACHE_NAME]: this.name });
  }

  /** The `cache.load` span, a child of `parent`; undefined if the tracer fails (a span processor threw). */
  private startLoadSpan(parent: Span): Span | undefined {
    try {
      return trace
        .getTracer('@sightglass/cache', SIGHTGLASS_VERSION)
        .startSpan(
          `${SPAN_CACHE_LOAD} ${this.name}`,
          { kind: SpanKind.INTERNAL, attributes: { [ATTR_CACHE_NAME]: this.name } },
          trace.setSpan(context.active(), parent),
        );
    } catch (error) {
      reportInstrumentationError(`cache "${this.name}" load span`, error);
      return undefined;
    }
  }

  /** Ends the load span, with the failure recorded on it; nothing it throws reaches the caller. */
  private endLoadSpan(span: Span, failure: { error: unknown } | undefined): void {
    try {
      if (failure !== undefined) {
        const { error } = failure;
        span.setAttribute(ATTR_ERROR_TYPE, spanErrorType(error));
        // The load timeout's message names the key: record the error without it.
        span.recordException(
          error instanceof SightglassError && error.code === ErrorCode.CACHE_LOAD_TIMEOUT
            ? { name: error.name, code: error.code, message: `the load took longer than the load timeout` }
            : error instanceof Error
              ? error
              : String(error),
        );
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    } catch (error) {
      reportInstrumentationError(`cache "${this.name}" load span`, error);
    }
  }

  private load(
    key: string,
    loader: Loader<V>,
    ttlMs: number | undefined,
    timeoutMs: number | undefined,
    parent: Span | undefined,
  ): Promise<V> {
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const loadSpan = parent === undefined ? undefined : this.startLoadSpan(parent);
    const loading = this.runLoader(key, loader, ttlMs, timeoutMs, loadSpan).finally(() => {
      this.inflight.delete(key);
      this.overtaken.delete(key);
    });
    this.inflight.set(key, loading);
    return loading;
  }

  private async runLoader(
    key: string,
    loader: Loader<V>,
    ttlMs: number | undefined,
    timeoutMs: number | undefined,
    span: Span | undefined,
  ): Promise<V> {
    const started = performance.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let failure: { error: unknown } | undefined;
    try {
      const call = () => loader({ key, signal: controller.signal });
      // With a load span, the loader runs in it: its own spans (an Ollama call) are the load's children.
      const loaded =
        span === undefined
          ? Promise.resolve().then(call)
          : context.with(trace.setSpan(context.active(), span), () => Promise.resolve().then(call));
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
      if (this.disposed) return value;
      this.metrics.loadDuration((performance.now() - started) / 1000);
      // A set() or delete() made while this load ran is newer than its result: keep it.
      if (!this.overtaken.has(key)) this.writeBehind(key, entry, hardTtlMs);
      return value;
    } catch (error) {
      failure = { error };
      if (!this.disposed) this.metrics.loadFailures.inc();
      throw error;
    } finally {
      clearTimeout(timer);
      if (span !== undefined) this.endLoadSpan(span, failure);
    }
  }

  /**
   * Stores a loaded value without making the caller wait: a miss answers as soon as its loader did, whatever
   * the store's state (a Redis that stopped answering would otherwise add its whole command timeout to every
   * miss). A failure is counted and reported by `write`, never thrown at the caller; at most
   * {@link MAX_PENDING_WRITES} run at once. Commands on one Redis connection are answered in order, so a
   * lookup made after the write was sent still finds the value.
   */
  private writeBehind(key: string, entry: Entry<V>, hardTtlMs: number | undefined): void {
    if (this.store.sync) {
      void this.write(key, entry, hardTtlMs);
      return;
    }
    if (this.pendingWrites >= MAX_PENDING_WRITES) {
      this.storeFailed(
        'set',
        new SightglassError(
          ErrorCode.CACHE_STORE_UNAVAILABLE,
          `${MAX_PENDING_WRITES} writes are already waiting on the store: this one was skipped`,
        ),
      );
      return;
    }
    this.pendingWrites++;
    // Sent now (the executor runs at once), before the caller gets the value and can look the key up again.
    new Promise<void>((resolve) => resolve(this.write(key, entry, hardTtlMs)))
      .catch((error: unknown) => {
        // Store failures were counted by write(); what is left is a value the serializer refuses, which
        // the caller already has: it is not cached, and said so once.
        reportInstrumentationError(`cache "${this.name}" write of a loaded value`, error);
      })
      .finally(() => {
        this.pendingWrites--;
      });
  }

  private registerHealth(critical: boolean): () => void {
    return healthRegistry().register({
      component: HealthComponent.cache,
      name: this.name,
      critical,
      check: () => {
        const connected = this.store.sync ? true : this.store.connected();
        const problem = this.store.sync ? undefined : this.store.problem?.();
        const recentError =
          this.lastStoreError !== undefined && Date.now() - this.lastStoreError.at < STORE_ERROR_MEMORY_MS;
        // A warm-up pass with failures degrades health for a while, not until a later clean pass that a
        // one-shot warm-up never runs.
        const warmFailed =
          (this.warmState.last?.failed ?? 0) > 0 &&
          Date.now() - (this.warmState.lastAt ?? 0) < STORE_ERROR_MEMORY_MS;
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
              // What is wrong now, else what went wrong last (within STORE_ERROR_MEMORY_MS).
              reason:
                problem ??
                (!connected
                  ? 'not connected'
                  : recentError
                    ? `${this.lastStoreError!.operation} failed ${Math.round((Date.now() - this.lastStoreError!.at) / 1000)} s ago`
                    : null),
              errors: this.metrics.storeErrors,
              pending_writes: this.pendingWrites,
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
