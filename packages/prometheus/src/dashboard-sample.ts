import { CATALOG, type MetricDefinition, type MetricSnapshot } from '@sightglass/core';
import { bucketQuantile, subtractCounts } from './bucket-quantile.js';
import { type LlmPoint, LlmSampler } from './dashboard-llm-sample.js';

/** One breaker at one instant. Rates are per second over the last sampling interval. */
export interface BreakerPoint {
  /** `circuit_breaker_state`: 0 closed, 1 open, 2 half-open. */
  readonly state: number | null;
  readonly failuresPerSecond: number | null;
  readonly rejectionsPerSecond: number | null;
}

/** One connection pool at one instant (the `connection_pool_*` gauges). */
export interface PoolPoint {
  readonly active: number | null;
  readonly idle: number | null;
  readonly pending: number | null;
  readonly max: number | null;
  readonly utilizationPercent: number | null;
  /**
   * How long requests waited for a connection (`connection_pool_wait_duration_seconds`), quantiles in
   * seconds over the quantile window; `null` when no request got a connection in it.
   */
  readonly waitP50: number | null;
  readonly waitP95: number | null;
}

/** One cache at one instant. */
export interface CachePoint {
  readonly hitRatePercent: number | null;
  readonly entries: number | null;
  readonly hitsPerSecond: number | null;
  readonly missesPerSecond: number | null;
}

/** The application's HTTP requests at one instant, all routes together. */
export interface RequestsPoint {
  /** Requests per second by status class (`2xx`, `4xx`, ...). */
  readonly perSecondByStatus: Readonly<Record<string, number>>;
  /** Latency quantiles in seconds over the quantile window; `null` when no request finished in it. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly inFlight: number | null;
}

/** Everything the dashboard shows at one instant. */
export interface DashboardSample {
  /** Seconds since the epoch. */
  readonly time: number;
  readonly breakers: Readonly<Record<string, BreakerPoint>>;
  readonly pools: Readonly<Record<string, PoolPoint>>;
  readonly caches: Readonly<Record<string, CachePoint>>;
  readonly requests: RequestsPoint;
  readonly llm: LlmPoint;
}

/** Limits of {@link SampleBuilder}. */
export interface SampleBuilderOptions {
  /** Breakers, pools, caches and models kept per kind; the rest are left out of the dashboard (not of /metrics). */
  readonly maxEntities: number;
  /** How many past samples latency quantiles look back over (smooths them at low traffic). */
  readonly quantileWindow: number;
}

type Series = MetricSnapshot['series'][number];

/**
 * Turns successive metric-registry snapshots into dashboard samples: gauges as read, counters as rates
 * against the previous snapshot, latency quantiles from the change of the request histogram over a few
 * samples, and the LLM calls ({@link LlmSampler}). It keeps only what the next rate needs, bounded by
 * `maxEntities`.
 */
export class SampleBuilder {
  /** Cumulative counter values at the previous sample, keyed by metric and entity. */
  private previousCounters = new Map<string, number>();
  private previousTime: number | undefined;
  /** Cumulative request-duration bucket counts of the last `quantileWindow` samples, oldest first. */
  private readonly latencyHistory: number[][] = [];
  /** Cumulative pool-wait bucket counts per pool over the last `quantileWindow` samples, oldest first. */
  private poolWaits = new Map<string, number[][]>();
  private readonly llm: LlmSampler;
  /** Whether an entity kind had more members than `maxEntities` at the last sample. */
  truncated = false;

  constructor(private readonly options: SampleBuilderOptions) {
    this.llm = new LlmSampler(options);
  }

  build(snapshot: readonly MetricSnapshot[], timeMs: number): DashboardSample {
    const byName = new Map(snapshot.map((metric) => [metric.definition.name, metric.series]));
    const series = (definition: MetricDefinition): readonly Series[] => byName.get(definition.name) ?? [];
    const elapsedSeconds = this.previousTime === undefined ? undefined : (timeMs - this.previousTime) / 1000;
    const counters = new Map<string, number>();
    this.truncated = false;

    /**
     * Per-second rate of a cumulative value since the previous sample; `null` on the first sight of it,
     * unless `newCountsFromZero`: a series that appears between two samples (the first 5xx) started at 0.
     */
    const rate = (key: string, value: number, newCountsFromZero = false): number | null => {
      counters.set(key, value);
      if (elapsedSeconds === undefined || elapsedSeconds <= 0) return null;
      const previous = this.previousCounters.get(key) ?? (newCountsFromZero ? 0 : undefined);
      if (previous === undefined) return null;
      return Math.max(0, value - previous) / elapsedSeconds;
    };
    const names = (label: string, ...definitions: MetricDefinition[]): string[] =>
      this.entityNames(label, definitions.map(series));

    const breakers: Record<string, BreakerPoint> = {};
    for (const name of names('breaker_name', CATALOG.circuitBreakerState, CATALOG.circuitBreakerCalls)) {
      const labels = { breaker_name: name };
      breakers[name] = {
        state: seriesValue(series(CATALOG.circuitBreakerState), labels),
        failuresPerSecond: rate(`failures\0${name}`, sumOf(series(CATALOG.circuitBreakerFailures), labels)),
        rejectionsPerSecond: rate(
          `rejections\0${name}`,
          sumOf(series(CATALOG.circuitBreakerCalls), { ...labels, outcome: 'rejected' }),
        ),
      };
    }

    const pools: Record<string, PoolPoint> = {};
    const poolWaits = new Map<string, number[][]>();
    const waitBoundaries = CATALOG.connectionPoolWaitDurationSeconds.boundaries ?? [];
    for (const name of names(
      'pool_name',
      CATALOG.connectionPoolActiveConnections,
      CATALOG.connectionPoolUtilizationPercent,
    )) {
      const labels = { pool_name: name };
      const waits = this.windowOf(
        this.poolWaits,
        poolWaits,
        name,
        series(CATALOG.connectionPoolWaitDurationSeconds).filter((candidate) => matches(candidate, labels)),
        waitBoundaries.length + 1,
      );
      pools[name] = {
        active: seriesValue(series(CATALOG.connectionPoolActiveConnections), labels),
        idle: seriesValue(series(CATALOG.connectionPoolIdleConnections), labels),
        pending: seriesValue(series(CATALOG.connectionPoolPendingRequests), labels),
        max: seriesValue(series(CATALOG.connectionPoolMaxConnections), labels),
        utilizationPercent: seriesValue(series(CATALOG.connectionPoolUtilizationPercent), labels),
        waitP50: waits && bucketQuantile(waitBoundaries, waits, 0.5),
        waitP95: waits && bucketQuantile(waitBoundaries, waits, 0.95),
      };
    }
    this.poolWaits = poolWaits;

    const caches: Record<string, CachePoint> = {};
    for (const name of names('cache_name', CATALOG.cacheHits, CATALOG.cacheMisses, CATALOG.cacheEntries)) {
      const labels = { cache_name: name };
      caches[name] = {
        hitRatePercent: seriesValue(series(CATALOG.cacheHitRatePercent), labels),
        entries: seriesValue(series(CATALOG.cacheEntries), labels),
        hitsPerSecond: rate(`hits\0${name}`, sumOf(series(CATALOG.cacheHits), labels)),
        missesPerSecond: rate(`misses\0${name}`, sumOf(series(CATALOG.cacheMisses), labels)),
      };
    }

    const requests = this.requestsPoint(series, rate);
    const llm = this.llm.build(series, timeMs);
    if (this.llm.truncated) this.truncated = true;
    this.previousCounters = counters;
    this.previousTime = timeMs;
    return { time: timeMs / 1000, breakers, pools, caches, requests, llm };
  }

  private requestsPoint(
    series: (definition: MetricDefinition) => readonly Series[],
    rate: (key: string, value: number, newCountsFromZero?: boolean) => number | null,
  ): RequestsPoint {
    const totalsByClass = new Map<string, number>();
    for (const { attributes, value } of series(CATALOG.requests)) {
      const statusClass = `${String(attributes.status ?? '').charAt(0) || '?'}xx`;
      totalsByClass.set(statusClass, (totalsByClass.get(statusClass) ?? 0) + value);
    }
    const perSecondByStatus: Record<string, number> = {};
    for (const [statusClass, total] of [...totalsByClass].sort(([a], [b]) => a.localeCompare(b))) {
      // A status class that was not there at the previous sample has just had its first requests.
      const perSecond = rate(`requests\0${statusClass}`, total, true);
      if (perSecond !== null) perSecondByStatus[statusClass] = perSecond;
    }

    const boundaries = CATALOG.requestDurationSeconds.boundaries ?? [];
    const cumulative = new Array<number>(boundaries.length + 1).fill(0);
    for (const { histogram } of series(CATALOG.requestDurationSeconds)) {
      histogram?.counts.forEach((count, index) => {
        cumulative[index]! += count;
      });
    }
    this.latencyHistory.push(cumulative);
    if (this.latencyHistory.length > this.options.quantileWindow + 1) this.latencyHistory.shift();
    const window = subtractCounts(cumulative, this.latencyHistory[0]!);
    const inFlightSeries = series(CATALOG.requestsInFlight);
    return {
      perSecondByStatus,
      p50: bucketQuantile(boundaries, window, 0.5),
      p95: bucketQuantile(boundaries, window, 0.95),
      p99: bucketQuantile(boundaries, window, 0.99),
      inFlight: inFlightSeries.length > 0 ? inFlightSeries.reduce((sum, { value }) => sum + value, 0) : null,
    };
  }

  /**
   * The bucket counts a histogram gained over the last `quantileWindow` samples, keeping its history from
   * `from` into `into` under `key` (an entity gone from a sample is forgotten); `null` at its first sight
   * on the first sample. An entity first seen later started from nothing within the last interval.
   */
  private windowOf(
    from: ReadonlyMap<string, number[][]>,
    into: Map<string, number[][]>,
    key: string,
    histograms: readonly Series[],
    buckets: number,
  ): number[] | null {
    const current = new Array<number>(buckets).fill(0);
    for (const { histogram } of histograms) {
      histogram?.counts.forEach((count, index) => {
        current[index]! += count;
      });
    }
    const kept =
      from.get(key) ?? (this.previousTime === undefined ? [] : [new Array<number>(buckets).fill(0)]);
    const entries = [...kept, current].slice(-(this.options.quantileWindow + 1));
    into.set(key, entries);
    return entries.length < 2 ? null : subtractCounts(current, entries[0]!);
  }

  /** The distinct values of `label` across the given metrics, sorted, at most `maxEntities`. */
  private entityNames(label: string, metrics: readonly (readonly Series[])[]): string[] {
    const found = new Set<string>();
    for (const metric of metrics) {
      for (const { attributes } of metric) {
        const value = attributes[label];
        if (typeof value === 'string') found.add(value);
      }
    }
    const sorted = [...found].sort();
    if (sorted.length > this.options.maxEntities) this.truncated = true;
    return sorted.slice(0, this.options.maxEntities);
  }
}

function matches(series: Series, labels: Readonly<Record<string, string>>): boolean {
  for (const key in labels) if (series.attributes[key] !== labels[key]) return false;
  return true;
}

/** The value of the one series matching `labels`, or `null` when none does. */
function seriesValue(series: readonly Series[], labels: Readonly<Record<string, string>>): number | null {
  return series.find((candidate) => matches(candidate, labels))?.value ?? null;
}

/** The sum over every series matching `labels` (other labels summed away). */
function sumOf(series: readonly Series[], labels: Readonly<Record<string, string>>): number {
  let sum = 0;
  for (const candidate of series) if (matches(candidate, labels)) sum += candidate.value;
  return sum;
}
