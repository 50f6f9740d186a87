import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { catalogEntries, DEFAULT_CARDINALITY_LIMIT } from '@sightglass/core';

/**
 * Views for catalog histograms recorded through the OTel Meter API (with `createInstrument` from
 * @sightglass/core, on any meter): the catalog's explicit buckets (the SDK default is shaped for
 * milliseconds) and a cardinality limit. Sightglass's own instrumentation records through its producer,
 * which applies the catalog's buckets itself. `startTelemetry()` installs them; pass them to your own
 * `MeterProvider`/`NodeSDK` as `views` if you build one yourself.
 */
export function sightglassViews(): ViewOptions[] {
  return catalogEntries()
    .filter((entry) => entry.kind === 'histogram')
    .map((entry) => ({
      instrumentName: entry.name,
      aggregation: {
        type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
        options: { boundaries: [...(entry.boundaries ?? [])] },
      },
      aggregationCardinalityLimit: entry.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
    }));
}
