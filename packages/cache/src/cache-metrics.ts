import {
  CATALOG,
  type CounterCell,
  createMetricGroup,
  type HistogramCell,
  type MetricGroup,
} from '@sightglass/core';
import { HitRateWindow } from './hit-rate-window.js';
import type { EvictionReason } from './store.js';

/** The operations whose store failures are counted in `cache_errors_total{operation}`. */
export const STORE_OPERATIONS = ['get', 'set', 'delete', 'has', 'clear'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

/** Every metric of one cache: cells built once, so counting on the lookup path is an increment. */
export class CacheMetrics {
  readonly group: MetricGroup = createMetricGroup();
  readonly window: HitRateWindow;
  readonly hits: CounterCell;
  readonly misses: CounterCell;
  readonly sets: CounterCell;
  readonly staleServed: CounterCell;
  readonly loadFailures: CounterCell;
  readonly warmEntries: CounterCell;
  readonly warmFailures: CounterCell;
  private readonly evictions: Record<EvictionReason, CounterCell>;
  private readonly errors = new Map<StoreOperation, CounterCell>();
  private readonly labels: { cache_name: string };
  private readonly loadDurations: HistogramCell;
  private readonly warmDurations: HistogramCell;
  /** Unix seconds of the last clean warm-up pass. */
  lastWarmSuccess: number | undefined;

  /**
   * @param observed `all` for a cache Sightglass runs; `lookups` for an lru-cache instrumented from outside,
   *   where loads, warm-ups and evictions cannot be seen (their series are left out rather than shown as 0).
   */
  constructor(
    readonly name: string,
    entries: () => number | undefined,
    windowMs: number,
    observed: 'all' | 'lookups' = 'all',
  ) {
    const labels = { cache_name: name };
    this.labels = labels;
    this.hits = this.group.counter(CATALOG.cacheHits, labels);
    this.misses = this.group.counter(CATALOG.cacheMisses, labels);
    const hits = this.hits;
    const misses = this.misses;
    this.window = new HitRateWindow(
      () => hits.value,
      () => misses.value,
      windowMs,
    );
    this.sets = this.group.counter(CATALOG.cacheSets, labels);
    // Cells for what cannot be observed still exist (so callers need no checks) but are not reported.
    const unreported = createMetricGroup();
    const owner = observed === 'all' ? this.group : unreported;
    this.staleServed = owner.counter(CATALOG.cacheStaleServed, labels);
    this.loadFailures = owner.counter(CATALOG.cacheLoadFailures, labels);
    this.warmEntries = owner.counter(CATALOG.cacheWarmEntries, labels);
    this.warmFailures = owner.counter(CATALOG.cacheWarmFailures, labels);
    this.evictions = {
      evicted: owner.counter(CATALOG.cacheEvictions, { ...labels, reason: 'evicted' }),
      expired: owner.counter(CATALOG.cacheEvictions, { ...labels, reason: 'expired' }),
    };
    this.loadDurations = owner.histogram(CATALOG.cacheLoadDurationSeconds, labels);
    this.warmDurations = owner.histogram(CATALOG.cacheWarmDurationSeconds, labels);
    // Every operation's error count exists from the start at 0 (the label values are known), so a
    // dashboard shows "no errors" rather than "no data", and `rate()` sees the first error.
    if (observed === 'all') {
      for (const operation of STORE_OPERATIONS) {
        this.errors.set(operation, this.group.counter(CATALOG.cacheErrors, { ...labels, operation }));
      }
    }
    unreported.dispose();
    this.group.gauge(CATALOG.cacheHitRatePercent, labels, () => this.window.ratePercent());
    this.group.gauge(CATALOG.cacheEntries, labels, entries);
    if (observed === 'all') {
      this.group.gauge(CATALOG.cacheWarmLastSuccessTimestampSeconds, labels, () => this.lastWarmSuccess);
    }
  }

  hit(): void {
    this.hits.inc();
  }

  miss(): void {
    this.misses.inc();
  }

  eviction(reason: EvictionReason): void {
    this.evictions[reason].inc();
  }

  /** Counts a failed store operation. */
  storeError(operation: StoreOperation): void {
    let cell = this.errors.get(operation);
    if (cell === undefined) {
      cell = this.group.counter(CATALOG.cacheErrors, { ...this.labels, operation });
      this.errors.set(operation, cell);
    }
    cell.inc();
  }

  /** Total store failures so far. */
  get storeErrors(): number {
    let total = 0;
    for (const cell of this.errors.values()) total += cell.value;
    return total;
  }

  loadDuration(seconds: number): void {
    this.loadDurations.record(seconds);
  }

  warmDuration(seconds: number): void {
    this.warmDurations.record(seconds);
  }

  dispose(): void {
    this.window.dispose();
    this.group.dispose();
  }
}
