import { metricRegistry } from '@sightglass/core';

/** The series of the metric `name` whose attributes include `match`, as the registry reports them now. */
export function genAiSeries(name: string, match: Record<string, unknown>) {
  const metric = metricRegistry()
    .snapshot()
    .find((snapshot) => snapshot.definition.name === name);
  return (metric?.series ?? []).filter((series) =>
    Object.entries(match).every(([key, value]) => series.attributes[key] === value),
  );
}

/** The total `count` or `sum` of histogram series. */
export function histogramTotal(series: ReturnType<typeof genAiSeries>, key: 'count' | 'sum'): number {
  return series.reduce((total, s) => total + (s.histogram?.[key] ?? 0), 0);
}
