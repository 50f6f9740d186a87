import type { Attributes, AttributeValue } from '@opentelemetry/api';
import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';

/** The content type of the Prometheus text exposition format served at `/metrics`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** How {@link writeExposition} renders collected metrics. */
export interface ExpositionOptions {
  /** Label every series with `otel_scope_name` / `otel_scope_version`. */
  scopeLabels: boolean;
  /** Write the `target_info` gauge with the resource's attributes. */
  targetInfo: boolean;
  /** Resource attributes (matching this pattern) copied onto every series as labels. */
  resourceConstantLabels: RegExp | undefined;
}

/** What a render produced: the exposition, and what had to be left out of it (each named once). */
export interface Exposition {
  text: string;
  dropped: string[];
}

interface Family {
  readonly type: string;
  readonly lines: string[];
  readonly series: Set<string>;
}

/**
 * Renders collected OpenTelemetry metrics as the Prometheus text exposition format 0.0.4, following the
 * OpenTelemetry Prometheus compatibility rules that exporter-prometheus applies: characters outside
 * `[a-zA-Z0-9_]` become `_`, monotonic sums are counters with one `_total` suffix, other sums and gauges are
 * gauges, explicit-bucket histograms get cumulative `_bucket{le}`, `_sum` and `_count`; no unit suffix is
 * added and no `# UNIT` line is written (the 0.0.4 format has none).
 *
 * One family per name: a metric written by two instrumentation scopes is one block with one `# TYPE` (its
 * series differ by `otel_scope_name`). What cannot be written without breaking the scrape is left out and
 * named in `dropped`: a family declared again with another type, a series written twice (scope labels off,
 * two meters with one label set), an exponential histogram (not representable in this format).
 */
export function writeExposition(resourceMetrics: ResourceMetrics, options: ExpositionOptions): Exposition {
  const dropped: string[] = [];
  const families = new Map<string, Family>();
  const resourceAttributes = resourceMetrics.resource?.attributes ?? {};
  const constant = constantLabels(resourceAttributes, options.resourceConstantLabels);

  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    const scopeLabels: Attributes = {};
    if (options.scopeLabels) {
      scopeLabels.otel_scope_name = scope.name;
      if (scope.version) scopeLabels.otel_scope_version = scope.version;
      if (scope.schemaUrl) scopeLabels.otel_scope_schema_url = scope.schemaUrl;
    }
    const extra = { ...scopeLabels, ...constant };
    for (const metric of metrics) writeMetric(metric, extra, families, dropped);
  }

  const blocks: string[] = [];
  if (options.targetInfo && families.get('target_info') === undefined) {
    blocks.push(
      `# HELP target_info Target metadata\n# TYPE target_info gauge\ntarget_info${labelString(resourceAttributes, {})} 1\n`,
    );
  }
  for (const family of families.values()) blocks.push(family.lines.join(''));
  return { text: blocks.join(''), dropped };
}

function writeMetric(
  metric: MetricData,
  extra: Attributes,
  families: Map<string, Family>,
  dropped: string[],
): void {
  let name = sanitizeName(metric.descriptor.name);
  if (name === '' || name === '_') {
    dropped.push(`${metric.descriptor.name} (no valid Prometheus name)`);
    return;
  }
  let type: string;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      type = metric.isMonotonic ? 'counter' : 'gauge';
      if (metric.isMonotonic && !name.endsWith('_total')) name = `${name}_total`;
      break;
    case DataPointType.GAUGE:
      type = 'gauge';
      break;
    case DataPointType.HISTOGRAM:
      type = 'histogram';
      break;
    default:
      dropped.push(`${name} (exponential histograms have no Prometheus text form)`);
      return;
  }

  let family = families.get(name);
  if (family === undefined) {
    const help = escapeHelp(metric.descriptor.description || 'description missing');
    family = { type, lines: [`# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`], series: new Set() };
    families.set(name, family);
  } else if (family.type !== type) {
    dropped.push(`${name} (declared ${family.type}, then ${type})`);
    return;
  }

  for (const point of metric.dataPoints) {
    const labels = labelString(point.attributes, extra);
    if (family.series.has(labels)) {
      dropped.push(`${name}${labels} (reported twice)`);
      continue;
    }
    family.series.add(labels);
    if (type === 'histogram') {
      writeHistogram(family.lines, name, point.attributes, extra, point.value as Histogram);
    } else {
      family.lines.push(`${name}${labels} ${formatValue(point.value as number)}\n`);
    }
  }
}

function writeHistogram(
  lines: string[],
  name: string,
  attributes: Attributes,
  extra: Attributes,
  histogram: Histogram,
): void {
  const labels = labelString(attributes, extra);
  const { boundaries, counts } = histogram.buckets;
  let cumulative = 0;
  for (let index = 0; index < counts.length; index++) {
    cumulative += counts[index] ?? 0;
    const bound = boundaries[index];
    const le = bound === undefined || bound === Number.POSITIVE_INFINITY ? '+Inf' : formatValue(bound);
    lines.push(`${name}_bucket${labelString(attributes, extra, le)} ${cumulative}\n`);
    if (le === '+Inf') break;
  }
  lines.push(`${name}_sum${labels} ${formatValue(histogram.sum ?? 0)}\n`);
  lines.push(`${name}_count${labels} ${histogram.count}\n`);
}

function constantLabels(resource: Attributes, pattern: RegExp | undefined): Attributes {
  if (pattern === undefined) return {};
  const labels: Attributes = {};
  for (const [key, value] of Object.entries(resource)) if (pattern.test(key)) labels[key] = value;
  return labels;
}

/**
 * `{a="1",b="2"}` for a point's attributes, then the scope and resource labels, then `le`; `''` without any.
 * Two keys that become one label name (`http.route` and `http_route`) are one label, their values joined
 * with `;` as the OpenTelemetry compatibility rules ask: Prometheus rejects a repeated label name.
 */
function labelString(attributes: Attributes, extra: Attributes, le?: string): string {
  const labels = new Map<string, string>();
  const add = (key: string, value: AttributeValue | undefined): void => {
    const label = sanitizeName(key);
    const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
    const previous = labels.get(label);
    labels.set(label, previous === undefined ? text : `${previous};${text}`);
  };
  for (const key in attributes) add(key, attributes[key]);
  for (const key in extra) if (!(key in attributes)) add(key, extra[key]);
  if (le !== undefined) labels.set('le', le);
  if (labels.size === 0) return '';
  let out = '';
  for (const [label, value] of labels) out += `${out === '' ? '' : ','}${label}="${escapeLabelValue(value)}"`;
  return `{${out}}`;
}

/** A valid Prometheus metric or label name: invalid characters become `_`, runs of `_` one, no leading digit. */
export function sanitizeName(name: string): string {
  const sanitized = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return /^[0-9]/.test(sanitized) ? `_${sanitized}` : sanitized;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
