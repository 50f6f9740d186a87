import type { Counter, Gauge, Histogram, Meter } from '@opentelemetry/api';
import type { MetricDefinition } from './catalog.js';

/** The synchronous OTel instrument a catalog entry's kind maps to. */
export type InstrumentFor<D extends MetricDefinition> = D['kind'] extends 'counter'
  ? Counter
  : D['kind'] extends 'gauge'
    ? Gauge
    : Histogram;

/**
 * Creates the OTel instrument for a catalog entry on `meter`, with the entry's name, unit and description,
 * and for histograms its bucket boundaries as advice (so they apply even without Sightglass's views).
 *
 * Sightglass's own counters and gauges are plain numbers reported by a producer; use this for measurements
 * recorded per event through the Meter API, or to report a catalog metric from your own code.
 */
export function createInstrument<D extends MetricDefinition>(meter: Meter, definition: D): InstrumentFor<D> {
  const { name, unit, description, boundaries } = definition;
  switch (definition.kind) {
    case 'counter':
      return meter.createCounter(name, { unit, description }) as InstrumentFor<D>;
    case 'gauge':
      return meter.createGauge(name, { unit, description }) as InstrumentFor<D>;
    default:
      return meter.createHistogram(name, {
        unit,
        description,
        ...(boundaries ? { advice: { explicitBucketBoundaries: [...boundaries] } } : {}),
      }) as InstrumentFor<D>;
  }
}
