import { type LabelValues, type MetricDefinition, metricRegistry } from '@sightglass/core';

/** The current value of one series in the process registry (undefined when it is not reported). */
export function seriesValue<D extends MetricDefinition>(
  definition: D,
  labels: LabelValues<D>,
): number | undefined {
  return metricRegistry().value(definition, labels);
}
