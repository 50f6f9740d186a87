import { type LabelsOf, type MetricDefinition, prometheusName } from '@sightglass/core';

/**
 * Where a query runs. The dashboard filters every selector by its `job` and `instance` variables and takes
 * rates over `$__rate_interval`; rules see every series and use fixed windows.
 */
export interface QueryScope {
  /** Label matchers every selector carries, e.g. `job=~"$job"`. */
  readonly matchers: readonly string[];
  /** The range of every `rate()` / `increase()`, e.g. `$__rate_interval` or `5m`. */
  readonly window: string;
}

/** The dashboard's scope: the `job` / `instance` variables, and `$__rate_interval`. */
export const DASHBOARD_SCOPE: QueryScope = Object.freeze({
  matchers: Object.freeze(['job=~"$job"', 'instance=~"$instance"']),
  window: '$__rate_interval',
});

/** A rule's scope: every series, rates over `window` (a Prometheus duration such as `5m`). */
export function ruleScope(window: string): QueryScope {
  return { matchers: [], window };
}

/** The Prometheus label name of an OTel attribute: characters outside `[a-zA-Z0-9_]` become `_`. */
export function promLabel(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}

/**
 * The Prometheus name of one of a catalog entry's labels: `labelOf(CATALOG.requests, 'route')`. The compiler
 * checks the label against the entry, and so does the function at run time.
 */
export function labelOf<D extends MetricDefinition>(definition: D, label: LabelsOf<D>): string {
  if (!definition.labels.includes(label)) throw new RangeError(`${definition.name} has no label ${label}`);
  return promLabel(label);
}

/** The series of a histogram a query reads. */
export type HistogramSeries = 'bucket' | 'sum' | 'count';

/** The scraped name of a catalog entry, or of one series of a histogram entry (`…_bucket`). */
export function metricName(definition: MetricDefinition, series?: HistogramSeries): string {
  if (series === undefined) return prometheusName(definition);
  if (definition.kind !== 'histogram') {
    throw new TypeError(`${definition.name} is a ${definition.kind}, it has no _${series} series`);
  }
  return `${prometheusName(definition)}_${series}`;
}

/** `label="value"`. */
export function eq(label: string, value: string): string {
  return `${label}=${JSON.stringify(value)}`;
}

/** `label=~"regex"`. */
export function matches(label: string, regex: string): string {
  return `${label}=~${JSON.stringify(regex)}`;
}

/** `label!="value"`. */
export function notEq(label: string, value: string): string {
  return `${label}!=${JSON.stringify(value)}`;
}

/** A series selector: the metric with the scope's matchers and `extra` ones (a bare name when none). */
export function selector(metric: string, scope: QueryScope, extra: readonly string[] = []): string {
  const all = [...scope.matchers, ...extra];
  return all.length === 0 ? metric : `${metric}{${all.join(', ')}}`;
}

/** `rate(selector[window])`. */
export function rate(metric: string, scope: QueryScope, extra: readonly string[] = []): string {
  return `rate(${selector(metric, scope, extra)}[${scope.window}])`;
}

/** `increase(selector[window])`. */
export function increase(metric: string, scope: QueryScope, extra: readonly string[] = []): string {
  return `increase(${selector(metric, scope, extra)}[${scope.window}])`;
}

/** An aggregation PromQL knows. */
export type Aggregation = 'sum' | 'max' | 'min' | 'avg' | 'count';

/** `op by (labels) (expr)`, or `op(expr)` without labels. */
export function aggregate(op: Aggregation, by: readonly string[], expr: string): string {
  return by.length === 0 ? `${op}(${expr})` : `${op} by (${by.join(', ')}) (${expr})`;
}

/** `sum by (labels) (expr)`. */
export function sumBy(by: readonly string[], expr: string): string {
  return aggregate('sum', by, expr);
}

/**
 * A quantile of a histogram from its buckets:
 * `histogram_quantile(q, sum by (le, …by) (rate(name_bucket{…}[window])))`.
 */
export function histogramQuantile(
  quantile: number,
  bucketMetric: string,
  by: readonly string[],
  scope: QueryScope,
  extra: readonly string[] = [],
): string {
  return `histogram_quantile(${quantile}, ${sumBy(['le', ...by], rate(bucketMetric, scope, extra))})`;
}

/** `(numerator) / (denominator)`, parenthesized so it composes with comparisons and arithmetic. */
export function ratio(numerator: string, denominator: string): string {
  return `(${numerator}) / (${denominator})`;
}
