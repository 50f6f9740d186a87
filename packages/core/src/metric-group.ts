import type { LabelValues, MetricDefinition } from './catalog.js';
import { reportInstrumentationError } from './guard.js';
import type { HistogramCell } from './histogram-cell.js';
import { type CounterCell, expectKind, type GaugeReader, metricRegistry } from './metric-registry.js';

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

  /** A counter series; increment the returned cell on the hot path. */
  counter<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): CounterCell {
    const { cell, remove } = metricRegistry().addCounter(definition, labels);
    this.disposers.push(remove);
    return cell;
  }

  /** A gauge series, read by `read` at each collection. A reader that throws is reported, not raised. */
  gauge<D extends MetricDefinition>(definition: D, labels: LabelValues<D>, read: GaugeReader): void {
    this.disposers.push(metricRegistry().addGauge(definition, labels, read));
  }

  /** A histogram series owned by this group (stops with it); record into the returned cell. */
  histogram<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): HistogramCell {
    const { cell, remove } = metricRegistry().addHistogram(definition, labels);
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

/** Creates a {@link MetricGroup}. */
export function createMetricGroup(): MetricGroup {
  return new MetricGroup();
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

  constructor(private readonly definition: D) {
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
    const guarded = metricRegistry().guardLabels(this.definition, labels) as LabelValues<D>;
    const key = labelKey(this.definition, guarded);
    let cell = this.byGuarded.get(key);
    if (cell === undefined) {
      cell = metricRegistry().addHistogram(this.definition, labels).cell; // guards the raw labels itself
      this.byGuarded.set(key, cell);
    }
    return cell;
  }
}

function labelKey(definition: MetricDefinition, labels: object): string {
  return JSON.stringify(definition.labels.map((label) => (labels as Record<string, unknown>)[label]));
}

/** Creates a {@link HistogramRecorder} for a histogram catalog entry. */
export function createHistogramRecorder<D extends MetricDefinition>(definition: D): HistogramRecorder<D> {
  return new HistogramRecorder(definition);
}
