import type { LabelValues, MetricDefinition } from './catalog.js';
import { reportInstrumentationError } from './guard.js';
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

/**
 * Records values of a histogram catalog entry, for measurements taken per request (durations). The label
 * values pass through the entry's label guard; nothing recording does can throw into the caller.
 */
export class HistogramRecorder<D extends MetricDefinition> {
  constructor(private readonly definition: D) {
    expectKind(definition, 'histogram');
  }

  /** Records one measurement in the entry's unit (seconds for durations). */
  record(value: number, labels: LabelValues<D>): void {
    try {
      const registry = metricRegistry();
      registry.histogram(this.definition).record(value, registry.guardLabels(this.definition, labels));
    } catch (error) {
      reportInstrumentationError(`histogram ${this.definition.name}`, error);
    }
  }
}

/** Creates a {@link HistogramRecorder} for a histogram catalog entry. */
export function histogramRecorder<D extends MetricDefinition>(definition: D): HistogramRecorder<D> {
  return new HistogramRecorder(definition);
}
