import type { Attributes } from '@opentelemetry/api';
import {
  DataPointType,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type HistogramExemplar, type MetricSnapshot, SIGHTGLASS_VERSION } from '@sightglass/core';
import { escapeLabelValue, METER_NAME } from '@sightglass/core/internal';
import { canonicalFloat } from './canonical-float.js';
import { counterFamilyName, isWritableMetricName } from './exporter-prometheus-internals.js';
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

/**
 * A histogram's counts per bucket (not cumulative; the last is +Inf), sum and count, and an exemplar per
 * bucket where one was kept (Sightglass's own series only: the OTel SDK records none in JavaScript).
 */
interface Buckets {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
  readonly exemplars?: readonly (HistogramExemplar | undefined)[];
}

/**
 * The most UTF-8 characters (code points) an exemplar's label names and values may have together, as
 * OpenMetrics 1.0 sets it. Prometheus drops a longer one without a word, and Python's prometheus_client
 * rejects the whole exposition.
 */
export const MAX_EXEMPLAR_LABEL_CHARACTERS = 128;

/** `trace_id` and `span_id`: the label names' share of {@link MAX_EXEMPLAR_LABEL_CHARACTERS}. */
const EXEMPLAR_NAME_CHARACTERS = 'trace_id'.length + 'span_id'.length;

/** What a metric is to these formats; `exponential` histograms they cannot carry. */
type Kind = 'counter' | 'gauge' | 'histogram' | 'exponential';

/** Where one metric's samples go: its family, the family's name, and the name of a plain sample. */
interface FamilySlot {
  readonly entry: Family;
  readonly name: string;
  readonly sampleName: string;
}

interface Family {
  readonly type: string;
  readonly lines: string[];
  /**
   * The series written, to leave out one written twice; made only once a series could repeat. Until then
   * `unique` holds the series of the registry's metrics, whose label strings are their keys there and so
   * cannot repeat (hashing them every scrape measured a tenth of a scrape's time).
   */
  series: Set<string> | undefined;
  readonly unique: string[];
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
 *   form (`1.0`); `target` is an `info` family; the exposition ends in `# EOF`. A histogram bucket's
 *   exemplar, where the registry kept one, follows its `_bucket` sample:
 *   `# {trace_id="…",span_id="…"} <value> <seconds since the epoch, to the millisecond>`. Only `_bucket`
 *   lines carry one: Prometheus fails the whole scrape over an exemplar on `_sum` or `_count`, and the text
 *   format has no exemplars at all.
 *
 * One family per name: a metric written by two instrumentation scopes is one block with one `# TYPE` (its
 * series differ by `otel_scope_name`). What cannot be written without breaking the scrape is left out and
 * named in `dropped`: a family declared again with another type, a series written twice (scope labels off,
 * two meters with one label set), an exponential histogram (not representable here), an exemplar whose
 * labels exceed {@link MAX_EXEMPLAR_LABEL_CHARACTERS} (its bucket's sample is still written).
 */
export function writeExposition(
  resourceMetrics: ResourceMetrics,
  options: ExpositionOptions,
  registry: readonly MetricSnapshot[] = [],
): Exposition {
  const steps = writeSteps(resourceMetrics, options, registry);
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
  registry: readonly MetricSnapshot[] = [],
  sliceMs = 5,
): Promise<Exposition> {
  const steps = writeSteps(resourceMetrics, options, registry);
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
  registry: readonly MetricSnapshot[],
): Generator<void, Exposition> {
  const writer = new ExpositionWriter(options.format);
  const resourceAttributes = resourceMetrics.resource?.attributes ?? {};
  const constant = constantLabels(resourceAttributes, options.resourceConstantLabels);
  const sharedLabels = (scope: { name: string; version?: string; schemaUrl?: string }): SharedLabels => {
    const shared: Attributes = {};
    if (options.scopeLabels) {
      shared.otel_scope_name = scope.name;
      if (scope.version) shared.otel_scope_version = scope.version;
      if (scope.schemaUrl) shared.otel_scope_schema_url = scope.schemaUrl;
    }
    return writer.labels.shared({ ...shared, ...constant });
  };
  // Sightglass's own series first, under the scope its producer reports them with.
  if (registry.length > 0) {
    const labels = sharedLabels({ name: METER_NAME, version: SIGHTGLASS_VERSION });
    for (const snapshot of registry) {
      for (let from = 0; from === 0 || from < snapshot.series.length; from += POINTS_PER_STEP) {
        writer.registryMetric(snapshot, labels, from, from + POINTS_PER_STEP);
        yield;
      }
    }
  }
  for (const { scope, metrics } of resourceMetrics.scopeMetrics) {
    const labels = sharedLabels(scope);
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
  private readonly refused = new WeakSet<object>();
  /** Bucket bounds as `le` values, per boundaries array (the SDK shares one per instrument). */
  private readonly bounds = new WeakMap<readonly number[], string[]>();

  constructor(private readonly format: ExpositionFormat) {}

  /** Writes data points `from` up to `to` of `metric` (its header with the first). */
  metric(metric: MetricData, shared: SharedLabels, from: number, to: number): void {
    let kind: Kind;
    switch (metric.dataPointType) {
      case DataPointType.SUM:
        kind = metric.isMonotonic ? 'counter' : 'gauge';
        break;
      case DataPointType.GAUGE:
        kind = 'gauge';
        break;
      case DataPointType.HISTOGRAM:
        kind = 'histogram';
        break;
      default:
        kind = 'exponential';
    }
    const { descriptor } = metric;
    const family = this.family(metric, descriptor.name, kind, descriptor.description, descriptor.unit, from);
    if (family === undefined) return;
    const points = metric.dataPoints;
    const end = Math.min(to, points.length);
    for (let index = from; index < end; index++) {
      const point = points[index]!;
      const body = this.labels.body(point.attributes, shared);
      if (kind === 'histogram') {
        const { buckets, sum, count } = point.value as Histogram;
        this.histogramSample(family, body, {
          boundaries: buckets.boundaries,
          counts: buckets.counts,
          sum: sum ?? 0,
          count,
        });
      } else {
        this.sample(family, body, point.value as number);
      }
    }
  }

  /**
   * Writes series `from` up to `to` of one of Sightglass's own metrics, straight from the registry: each
   * series' labels are the string the registry made once, followed by the scope labels.
   */
  registryMetric(snapshot: MetricSnapshot, shared: SharedLabels, from: number, to: number): void {
    const { definition } = snapshot;
    const family = this.family(
      snapshot,
      definition.name,
      definition.kind,
      definition.description,
      definition.unit,
      from,
    );
    if (family === undefined) return;
    const series = snapshot.series;
    const end = Math.min(to, series.length);
    for (let index = from; index < end; index++) {
      const current = series[index]!;
      const body =
        shared.text === ''
          ? current.labels
          : current.labels === ''
            ? shared.text
            : `${current.labels},${shared.text}`;
      if (current.histogram !== undefined) this.histogramSample(family, body, current.histogram, true);
      else this.sample(family, body, current.value, true);
    }
  }

  /**
   * The family a metric's samples go to, declared with its first slice; `undefined` when the metric is left
   * out (no valid name, a kind these formats cannot carry, or a family of that name declared with another type).
   */
  private family(
    source: object,
    rawName: string,
    kind: Kind,
    description: string | undefined,
    unit: string | undefined,
    from: number,
  ): FamilySlot | undefined {
    const base = this.labels.name(rawName); // rule 1 of exporter-prometheus-internals.ts
    if (!isWritableMetricName(base)) {
      if (from === 0) this.dropped.push(`${rawName} (no valid Prometheus name)`);
      return undefined;
    }
    if (kind === 'exponential') {
      if (from === 0) this.dropped.push(`${base} (exponential histograms have no text or OpenMetrics form)`);
      return undefined;
    }
    /** The name the family is declared under, and what a plain sample's name adds to it. */
    let name = base;
    let sampleSuffix: '' | '_total' = '';
    if (kind === 'counter') ({ name, sampleSuffix } = counterFamilyName(base, this.format));
    let entry = this.families.get(name);
    if (from > 0) {
      // A later slice of a metric whose first slice declared (or was refused) the family.
      if (entry === undefined || this.refused.has(source)) return undefined;
    } else if (entry === undefined) {
      let header = `# HELP ${name} ${escapeHelp(description || 'description missing')}\n# TYPE ${name} ${kind}\n`;
      if (this.format === 'openmetrics') {
        const word = prometheusUnit(unit);
        if (word !== undefined && name.endsWith(`_${word}`)) header += `# UNIT ${name} ${word}\n`;
      }
      entry = { type: kind, lines: [header], series: undefined, unique: [] };
      this.families.set(name, entry);
    } else if (entry.type !== kind) {
      this.dropped.push(`${name} (declared ${entry.type}, then ${kind})`);
      this.refused.add(source);
      return undefined;
    }
    return { entry, name, sampleName: name + sampleSuffix };
  }

  /**
   * Whether a series is new to its family; one written twice is left out and named. `unique`: it comes from
   * the registry, where it cannot repeat.
   */
  private admit(family: FamilySlot, body: string, unique: boolean): boolean {
    const entry = family.entry;
    if (unique && entry.series === undefined) {
      entry.unique.push(body);
      return true;
    }
    entry.series ??= new Set(entry.unique);
    if (entry.series.has(body)) {
      this.dropped.push(`${family.sampleName}${braces(body)} (reported twice)`);
      return false;
    }
    entry.series.add(body);
    return true;
  }

  private sample(family: FamilySlot, body: string, value: number, unique = false): void {
    if (this.admit(family, body, unique))
      family.entry.lines.push(`${family.sampleName}${braces(body)} ${formatValue(value)}\n`);
  }

  private histogramSample(family: FamilySlot, body: string, histogram: Buckets, unique = false): void {
    if (this.admit(family, body, unique)) this.histogram(family.entry.lines, family.name, body, histogram);
  }

  private histogram(lines: string[], name: string, body: string, histogram: Buckets): void {
    const { boundaries, counts } = histogram;
    const les = this.leValues(boundaries);
    const prefix = `${name}_bucket{${body}${body === '' ? '' : ','}le="`;
    // One look per series: a histogram without exemplars (and every one in the text format) takes the
    // loop it always took.
    const exemplars = this.format === 'openmetrics' ? histogram.exemplars : undefined;
    let cumulative = 0;
    if (exemplars === undefined) {
      for (let index = 0; index < counts.length; index++) {
        cumulative += counts[index] ?? 0;
        const le = les[index] ?? '+Inf';
        lines.push(`${prefix}${le}"} ${cumulative}\n`);
        if (le === '+Inf') break;
      }
    } else {
      for (let index = 0; index < counts.length; index++) {
        cumulative += counts[index] ?? 0;
        const le = les[index] ?? '+Inf';
        const exemplar = exemplars[index];
        let tail = '';
        if (exemplar !== undefined) {
          tail = exemplarText(exemplar);
          if (tail === '')
            this.dropped.push(
              `${prefix}${le}"} exemplar (labels over ${MAX_EXEMPLAR_LABEL_CHARACTERS} characters)`,
            );
        }
        lines.push(`${prefix}${le}"} ${cumulative}${tail}\n`);
        if (le === '+Inf') break;
      }
    }
    const labels = braces(body);
    lines.push(`${name}_sum${labels} ${formatValue(histogram.sum)}\n`);
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

/**
 * ` # {trace_id="…",span_id="…"} <value> <timestamp>`, what follows a bucket's sample in OpenMetrics 1.0;
 * `''` when the labels would exceed {@link MAX_EXEMPLAR_LABEL_CHARACTERS}. The ids are escaped as label values
 * are (the registry checks their lengths, not their digits). The timestamp is when the value was recorded,
 * in seconds to the millisecond; left out when it is not a finite number (the format allows that).
 */
export function exemplarText(exemplar: HistogramExemplar): string {
  const { traceId, spanId, timeMs } = exemplar;
  // A string's length in UTF-16 code units is never less than its code points, so only an id pair that
  // long needs counting (span context ids are 32 and 16 hex digits: 63 characters with the names).
  if (EXEMPLAR_NAME_CHARACTERS + traceId.length + spanId.length > MAX_EXEMPLAR_LABEL_CHARACTERS) {
    const characters = EXEMPLAR_NAME_CHARACTERS + [...traceId].length + [...spanId].length;
    if (characters > MAX_EXEMPLAR_LABEL_CHARACTERS) return '';
  }
  return ` # {trace_id="${escapeLabelValue(traceId)}",span_id="${escapeLabelValue(spanId)}"} ${formatValue(exemplar.value)}${timestampText(timeMs)}`;
}

/** ` <seconds>.<ms>` for a time in ms since the epoch; `''` for one that is not a finite number. */
function timestampText(timeMs: number): string {
  // `Date.now()` gives whole milliseconds, and printing two integers is cheaper than `toFixed(3)` (which measured
  // about a third of an exemplar's writing time).
  if (Number.isSafeInteger(timeMs) && timeMs >= 0) {
    const seconds = Math.floor(timeMs / 1000);
    const millis = timeMs - seconds * 1000;
    return ` ${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
  }
  return Number.isFinite(timeMs) ? ` ${(timeMs / 1000).toFixed(3)}` : '';
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
