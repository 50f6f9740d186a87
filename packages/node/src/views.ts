import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { catalogEntries, DEFAULT_CARDINALITY_LIMIT, METER_NAME } from '@sightglass/core';

/**
 * The views Sightglass needs on a MeterProvider: the catalog's explicit seconds buckets for each histogram
 * (the SDK default is shaped for milliseconds) and a cardinality limit per metric. `startTelemetry()`
 * installs them; pass them to your own `MeterProvider`/`NodeSDK` as `views` if you build one yourself.
 */
export function sightglassViews(): ViewOptions[] {
  return catalogEntries()
    .filter((entry) => entry.kind === 'histogram')
    .map((entry) => ({
      instrumentName: entry.name,
      meterName: METER_NAME,
      aggregation: {
        type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
        options: { boundaries: [...(entry.boundaries ?? [])] },
      },
      aggregationCardinalityLimit: entry.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT,
    }));
}
