/**
 * The metric-naming rule of `@opentelemetry/exporter-prometheus`, which the reader's exposition copies so that
 * a metric is scraped under the same name whichever of the two serves it, and which the catalog's names in
 * `@sightglass/core` are written against. The rule is the behaviour of its `PrometheusSerializer`, not a
 * documented contract; exporter-prometheus-internals.test.ts is its canary and compares this module and the
 * catalog with the exporter itself (the version in this package's devDependencies).
 *
 * 1. The base name: characters outside `[a-zA-Z0-9_]` become `_`, runs of `_` become one, and a leading digit
 *    gets a `_` before it (`prometheusLabelName` of @sightglass/core, which the exposition's label writer
 *    applies and caches per scrape). A metric whose base name is `''` or `_` is not written.
 * 2. A monotonic sum is a counter, whose samples end in `_total` exactly once (`requests` and
 *    `requests_total` both give `requests_total`). No unit suffix is ever appended.
 *
 * Where the exposition deliberately differs from the exporter (no `# UNIT` line in the text format, the
 * OpenMetrics family of a counter named without `_total`, as OpenMetrics 1.0 requires), that is the
 * format's rule, not the naming rule, and is written in exposition.ts.
 */
import type { ExpositionFormat } from './exposition-format.js';

/** Whether a sanitized base name can be written (exporter-prometheus drops `''` and `_`). */
export function isWritableMetricName(base: string): boolean {
  return base !== '' && base !== '_';
}

/** The name a counter's family is declared under, and what each of its samples adds to that name. */
export interface CounterFamilyName {
  readonly name: string;
  readonly sampleSuffix: '' | '_total';
}

/**
 * The family name of a counter whose sanitized base name is `base`: `<stem>_total` in the text format,
 * `<stem>` with `_total` on each sample in OpenMetrics, where `stem` is `base` without one trailing `_total`.
 */
export function counterFamilyName(base: string, format: ExpositionFormat): CounterFamilyName {
  const stem = base.endsWith('_total') ? base.slice(0, -'_total'.length) : base;
  return format === 'openmetrics'
    ? { name: stem, sampleSuffix: '_total' }
    : { name: `${stem}_total`, sampleSuffix: '' };
}
