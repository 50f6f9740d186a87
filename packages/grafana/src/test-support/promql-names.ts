import { catalogEntries, prometheusName } from '@sightglass/core';
import { runtimeMetricNames } from '../runtime-metrics.js';

/** Every metric name a query may read: catalog names (histograms with their series) and runtime names. */
export function knownMetricNames(): Set<string> {
  const names = new Set(runtimeMetricNames());
  for (const entry of catalogEntries()) {
    const name = prometheusName(entry);
    names.add(name);
    if (entry.kind === 'histogram')
      for (const series of ['bucket', 'sum', 'count']) names.add(`${name}_${series}`);
  }
  return names;
}

const NOT_METRICS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'histogram_quantile',
  'time',
  'vector',
  'by',
  'without',
  'on',
  'ignoring',
  'and',
  'or',
  'unless',
  'bool',
]);

/**
 * The metric names a PromQL expression reads, each with the matchers written after it (`{…}`, or undefined).
 * Strings, ranges and label lists (`by (…)`, `on (…)`) are skipped, so what is left are functions,
 * keywords and metric names.
 */
export function metricReferences(expr: string): Array<{ name: string; matchers: string | undefined }> {
  const found: Array<{ name: string; matchers: string | undefined }> = [];
  const withoutLabelLists = expr.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '$1');
  const tokens = /"(?:[^"\\]|\\.)*"|\[[^\]]*\]|\{[^}]*\}|([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?/g;
  for (const match of withoutLabelLists.matchAll(tokens)) {
    const name = match[1];
    if (name === undefined || NOT_METRICS.has(name)) continue;
    if (/[0-9.]/.test(withoutLabelLists[match.index - 1] ?? '')) continue; // the exponent of 1e3
    found.push({ name, matchers: match[2] });
  }
  return found;
}
