import type { LabelValues, MetricDefinition } from './catalog.js';
import { reportInstrumentationError } from './guard.js';
import type { HistogramCell } from './histogram-cell.js';
import {
  type CounterCell,
  expectKind,
  type GaugeReader,
  type MetricRegistry,
  metricRegistry,
} from './metric-registry.js';

/** Where a {@link MetricGroup} reports. */
export interface MetricGroupOptions {
  /**
   * The registry the group's series go into. A test, or an application that renders or exports a set of
   * series of its own, passes `new MetricRegistry()`: what the group reports is then read from that registry
   * alone, and nothing another group counted in the process registry shows up in it.
   *
   * @default metricRegistry(), the process-wide registry Sightglass's producer and readers collect from
   */
  registry?: MetricRegistry;
}

/** Where a {@link HistogramRecorder} reports. */
export interface HistogramRecorderOptions {
  /**
   * The registry the recorder's series go into (see {@link MetricGroupOptions.registry}).
   *
   * @default metricRegistry(), the process-wide registry
   */
  registry?: MetricRegistry;
}

/**
 * The series one instrumented object (a breaker, a pool, a cache) reports, so that `dispose()` stops
 * them all at once. Counters are plain-number cells; gauges are read at collection time.
 *
 * @example
 * const group = createMetricGroup();
 * const hits = group.counter(CATALOG.cacheHits, { cache_name: 'answers' });
 * hits.inc(); // a few nanoseconds; reported at the next scrape
 * group.gauge(CATALOG.cacheHitRatePercent, { cache_name: 'answers' }, () => window.rate());
 */
export class MetricGroup {
  private readonly disposers: Array<() => void> = [];
  private disposed = false;

  /** @param registry - where the series go (see {@link MetricGroupOptions.registry}) */
  constructor(private readonly registry: MetricRegistry = metricRegistry()) {}

  /** A counter series; increment the returned cell on the hot path. */
  counter<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): CounterCell {
    const { cell, remove } = this.registry.addCounter(definition, labels);
    this.disposers.push(remove);
    return cell;
  }

  /** A gauge series, read by `read` at each collection. A reader that throws is reported, not raised. */
  gauge<D extends MetricDefinition>(definition: D, labels: LabelValues<D>, read: GaugeReader): void {
    this.disposers.push(this.registry.addGauge(definition, labels, read));
  }

  /** A histogram series owned by this group (stops with it); record into the returned cell. */
  histogram<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): HistogramCell {
    const { cell, remove } = this.registry.addHistogram(definition, labels);
    this.disposers.push(remove);
    return cell;
  }

  /** Stops reporting every series of this group. Calling it again does nothing. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const dispose of this.disposers.splice(0)) {
      try {
        dispose();
      } catch (error) {
        reportInstrumentationError('metric group dispose', error);
      }
    }
  }
}

/**
 * Creates a {@link MetricGroup} reporting into the process registry, or into `options.registry`.
 *
 * @example
 * // A test that owns its registry: counts start at zero whatever ran before it.
 * const registry = new MetricRegistry();
 * const group = createMetricGroup({ registry });
 * group.counter(CATALOG.cacheHits, { cache_name: 'answers' }).inc();
 * registry.value(CATALOG.cacheHits, { cache_name: 'answers' }); // 1
 */
export function createMetricGroup(options: MetricGroupOptions = {}): MetricGroup {
  return new MetricGroup(options.registry ?? metricRegistry());
}

/** A histogram series with its label values fixed (guarded once), for a measurement taken again and again. */
export interface BoundHistogram {
  /** Records one measurement in the entry's unit. Never throws into the caller. */
  record(value: number): void;
  /**
   * Records one measurement and keeps it as its bucket's exemplar with the sampled span it was measured in
   * (ids as `SpanContext` has them); `recordWithSpan` checks the span and picks between the two.
   */
  recordExemplar(value: number, traceId: string, spanId: string, timeMs?: number): void;
}

/**
 * How many label sets a recorder keeps a prepared series for, keyed by the raw values. Label values are
 * bounded by the label guard anyway; this bounds the raw strings keying the recorder's own map.
 */
const MAX_PREPARED_SERIES = 5000;

/**
 * Records values of a histogram catalog entry under label sets that vary per measurement (method, route,
 * status). Each label set's cell is made once: recording is a map lookup and a bucket increment. Nothing
 * recording does can throw into the caller.
 */
export class HistogramRecorder<D extends MetricDefinition> {
  private readonly prepared = new Map<string, BoundHistogram>();
  /** One cell per guarded label set: bounded by the label guard, whatever the raw values. */
  private readonly byGuarded = new Map<string, HistogramCell>();

  /** @param registry - where the series go (see {@link HistogramRecorderOptions.registry}) */
  constructor(
    private readonly definition: D,
    private readonly registry: MetricRegistry = metricRegistry(),
  ) {
    expectKind(definition, 'histogram');
  }

  /** Records one measurement in the entry's unit (seconds for durations). */
  record(value: number, labels: LabelValues<D>): void {
    try {
      const raw = labelKey(this.definition, labels);
      let bound = this.prepared.get(raw);
      if (bound === undefined) {
        bound = this.bind(labels);
        if (this.prepared.size < MAX_PREPARED_SERIES) this.prepared.set(raw, bound);
      }
      bound.record(value);
    } catch (error) {
      reportInstrumentationError(`histogram ${this.definition.name}`, error);
    }
  }

  /**
   * The series for one label set, to record into again and again without looking it up. Label sets that
   * the label guard maps to the same values share one series.
   */
  bind(labels: LabelValues<D>): BoundHistogram {
    const guarded = this.registry.guardLabels(this.definition, labels) as LabelValues<D>;
    const key = labelKey(this.definition, guarded);
    let cell = this.byGuarded.get(key);
    if (cell === undefined) {
      cell = this.registry.addHistogram(this.definition, labels).cell; // guards the raw labels itself
      this.byGuarded.set(key, cell);
    }
    return cell;
  }
}

function labelKey(definition: MetricDefinition, labels: object): string {
  return JSON.stringify(definition.labels.map((label) => (labels as Record<string, unknown>)[label]));
}

/** Creates a {@link HistogramRecorder} for a histogram catalog entry, in the process registry or `options.registry`. */
export function createHistogramRecorder<D extends MetricDefinition>(
  definition: D,
  options: HistogramRecorderOptions = {},
): HistogramRecorder<D> {
  return new HistogramRecorder(definition, options.registry ?? metricRegistry());
}
