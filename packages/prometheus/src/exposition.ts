import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { canonicalFloat } from './canonical-float.js';
import { type ExpositionFormat, formatSpec } from './exposition-format.js';
import { braces, LabelWriter, type SharedLabels } from './label-writer.js';
import { prometheusUnit } from './prometheus-unit.js';

/** How {@link writeExposition} renders collected metrics. */
export interface ExpositionOptions {
  /** Prometheus text 0.0.4 or OpenMetrics 1.0. */
  format: ExpositionFormat;
  /** Label every series with `otel_scope_name` / `otel_scope_version`. */
  scopeLabels: boolean;
  /** Write the `target_info` metric with the resource's attributes. */
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
 * Renders collected OpenTelemetry metrics as a Prometheus exposition, following the OpenTelemetry
 * Prometheus compatibility rules: characters outside `[a-zA-Z0-9_]` become `_`, monotonic sums are counters
 * whose samples end in `_total` once, other sums and gauges are gauges, explicit-bucket histograms get
 * cumulative `_bucket{le}`, `_sum` and `_count`. No unit suffix is added to a name.
 *
 * - Text 0.0.4: the family of a counter is named with its `_total`; no `# UNIT` lines (the format has none);
 *   `target_info` is a gauge.
 * - OpenMetrics 1.0: a counter's family is named without `_total`; `# UNIT` only where the family name ends
 *   in the unit (`request_duration_seconds` in `s`), as the format requires; `le` values in canonical float
 *   form (`1.0`); `target` is an `info` family; the exposition ends in `# EOF`.
 *
 * One family per name: a metric written by two instrumentation scopes is one block with one `# TYPE` (its
 * series differ by `otel_scope_name`). What cannot be written without breaking the scrape is left out and
 * named in `dropped`: a family declared again with another type, a series written twice (scope labels off,
 * two meters with one label set), an exponential histogram (not representable here).
 */
export function writeExposition(resourceMetrics: ResourceMetrics, options: ExpositionOptions): Exposition {
  const steps = writeSteps(resourceMetrics, options);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * {@link writeExposition} in slices of about `sliceMs` of work, letting the event loop run between them: a
 * scrape of tens of thousands of series never holds up the application's requests for longer than a slice.
 */
export async function writeExpositionInSlices(
  resourceMetrics: ResourceMetrics,
  options: ExpositionOptions,
  sliceMs = 5,
): Promise<Exposition> {
  const steps = writeSteps(resourceMetrics, options);
  let sliceStart = performance.now();
  let step = steps.next();
  while (!step.done) {
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    step = steps.next();
  }
  return step.value;
}

/** How many data points are written between two looks at the clock. */
const POINTS_PER_STEP = 256;

function* writeSteps(
  resourceMetrics: ResourceMetrics,
  options: ExpositionOptions,
): Generator<void, Exposition> {
  const writer = new ExpositionWriter(options.format);
  const resourceAttributes = resourceMetrics.resource?.attributes ?? {};
  const constant = constantLabels(resourceAttributes, options.resourceConstantLabels);
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    const shared: Attributes = {};
    if (options.scopeLabels) {
      shared.otel_scope_name = scope.name;
      if (scope.version) shared.otel_scope_version = scope.version;
      if (scope.schemaUrl) shared.otel_scope_schema_url = scope.schemaUrl;
    }
    const labels = writer.labels.shared({ ...shared, ...constant });
    for (const metric of metrics) {
      const points = metric.dataPoints as readonly unknown[];
      for (let from = 0; from === 0 || from < points.length; from += POINTS_PER_STEP) {
        writer.metric(metric, labels, from, from + POINTS_PER_STEP);
        yield;
      }
    }
  }
  return writer.finish(options.targetInfo ? resourceAttributes : undefined);
}

/** One exposition being written: its families in order of first appearance, and what was left out. */
class ExpositionWriter {
  readonly labels = new LabelWriter();
  private readonly families = new Map<string, Family>();
  private readonly dropped: string[] = [];
  /** Metrics whose family was declared with another type: their later slices are left out too. */
  private readonly refused = new WeakSet<MetricData>();
  /** Bucket bounds as `le` values, per boundaries array (the SDK shares one per instrument). */
  private readonly bounds = new WeakMap<readonly number[], string[]>();

  constructor(private readonly format: ExpositionFormat) {}

  /** Writes data points `from` up to `to` of `metric` (its header with the first). */
  metric(metric: MetricData, shared: SharedLabels, from: number, to: number): void {
    const base = this.labels.name(metric.descriptor.name);
    if (base === '' || base === '_') {
      if (from === 0) this.dropped.push(`${metric.descriptor.name} (no valid Prometheus name)`);
      return;
    }
    let type: string;
    /** The name the family is declared under. */
    let family = base;
    /** What a plain sample's name adds to the family name. */
    let sampleSuffix = '';
    switch (metric.dataPointType) {
      case DataPointType.SUM:
        type = metric.isMonotonic ? 'counter' : 'gauge';
        if (metric.isMonotonic) {
          const stem = base.endsWith('_total') ? base.slice(0, -'_total'.length) : base;
          if (this.format === 'openmetrics') {
            family = stem;
            sampleSuffix = '_total';
          } else {
            family = `${stem}_total`;
          }
        }
        break;
      case DataPointType.GAUGE:
        type = 'gauge';
        break;
      case DataPointType.HISTOGRAM:
        type = 'histogram';
        break;
      default:
        if (from === 0)
          this.dropped.push(`${base} (exponential histograms have no text or OpenMetrics form)`);
        return;
    }

    let entry = this.families.get(family);
    if (from > 0) {
      // A later slice of a metric whose first slice declared (or was refused) the family.
      if (entry === undefined || this.refused.has(metric)) return;
    } else if (entry === undefined) {
      const help = escapeHelp(metric.descriptor.description || 'description missing');
      let header = `# HELP ${family} ${help}\n# TYPE ${family} ${type}\n`;
      if (this.format === 'openmetrics') {
        const unit = prometheusUnit(metric.descriptor.unit);
        if (unit !== undefined && family.endsWith(`_${unit}`)) header += `# UNIT ${family} ${unit}\n`;
      }
      entry = { type, lines: [header], series: new Set() };
      this.families.set(family, entry);
    } else if (entry.type !== type) {
      this.dropped.push(`${family} (declared ${entry.type}, then ${type})`);
      this.refused.add(metric);
      return;
    }

    const sampleName = family + sampleSuffix;
    const lines = entry.lines;
    const points = metric.dataPoints;
    const end = Math.min(to, points.length);
    for (let index = from; index < end; index++) {
      const point = points[index]!;
      const body = this.labels.body(point.attributes, shared);
      if (entry.series.has(body)) {
        this.dropped.push(`${sampleName}${braces(body)} (reported twice)`);
        continue;
      }
      entry.series.add(body);
      if (type === 'histogram') this.histogram(lines, family, body, point.value as Histogram);
      else lines.push(`${sampleName}${braces(body)} ${formatValue(point.value as number)}\n`);
    }
  }

  private histogram(lines: string[], name: string, body: string, histogram: Histogram): void {
    const { boundaries, counts } = histogram.buckets;
    const les = this.leValues(boundaries);
    const prefix = `${name}_bucket{${body}${body === '' ? '' : ','}le="`;
    let cumulative = 0;
    for (let index = 0; index < counts.length; index++) {
      cumulative += counts[index] ?? 0;
      const le = les[index] ?? '+Inf';
      lines.push(`${prefix}${le}"} ${cumulative}\n`);
      if (le === '+Inf') break;
    }
    const labels = braces(body);
    lines.push(`${name}_sum${labels} ${formatValue(histogram.sum ?? 0)}\n`);
    lines.push(`${name}_count${labels} ${histogram.count}\n`);
  }

  private leValues(boundaries: readonly number[]): string[] {
    let les = this.bounds.get(boundaries);
    if (les === undefined) {
      les = boundaries.map((bound) =>
        bound === Number.POSITIVE_INFINITY
          ? '+Inf'
          : this.format === 'openmetrics'
            ? canonicalFloat(bound)
            : formatValue(bound),
      );
      this.bounds.set(boundaries, les);
    }
    return les;
  }

  /** The exposition: `target_info` first (when given the resource), the families, the terminator. */
  finish(resource: Attributes | undefined): Exposition {
    const blocks: string[] = [];
    if (resource !== undefined && !this.families.has('target_info') && !this.families.has('target')) {
      const empty = this.labels.shared({});
      const samples = `target_info${braces(this.labels.body(resource, empty))} 1\n`;
      blocks.push(
        this.format === 'openmetrics'
          ? `# HELP target Target metadata\n# TYPE target info\n${samples}`
          : `# HELP target_info Target metadata\n# TYPE target_info gauge\n${samples}`,
      );
    }
    for (const family of this.families.values()) blocks.push(family.lines.join(''));
    const terminator = formatSpec(this.format).terminator;
    if (terminator) blocks.push(terminator);
    return { text: blocks.join(''), dropped: this.dropped };
  }
}

function constantLabels(resource: Attributes, pattern: RegExp | undefined): Attributes {
  if (pattern === undefined) return {};
  const labels: Attributes = {};
  for (const [key, value] of Object.entries(resource)) if (pattern.test(key)) labels[key] = value;
  return labels;
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
