import type { Attributes } from '@opentelemetry/api';
import type { LabelValues, MetricDefinition } from './catalog.js';
import { ErrorCode, SightglassError } from './errors.js';
import { escapeLabelValue, prometheusLabelName } from './exposition-text.js';
import { reportInstrumentationError } from './guard.js';
import { HistogramCell, type HistogramSnapshot, mergeHistograms } from './histogram-cell.js';
import { LabelGuard, type LabelGuardOptions } from './label-guard.js';

/** The instrumentation scope every Sightglass metric is reported under. */
export const METER_NAME = '@sightglass/core';

/**
 * The property that marks a MetricProducer reading this registry (`createMetricProducer()` of
 * `@sightglass/node`), so that a reader which renders the registry itself (`@sightglass/prometheus`'s) does
 * not report it twice. For Sightglass's packages; keyed with `Symbol.for` so two copies agree.
 */
export const REGISTRY_PRODUCER_MARK: unique symbol = Symbol.for('@sightglass/node/metric-producer') as never;

/** Whether a MetricProducer reads this registry (see {@link REGISTRY_PRODUCER_MARK}). */
export function readsMetricRegistry(producer: object): boolean {
  return (producer as { [REGISTRY_PRODUCER_MARK]?: boolean })[REGISTRY_PRODUCER_MARK] === true;
}

/**
 * A count kept as a plain number. Incrementing it costs what incrementing a property costs; the registry
 * reports the total when metrics are collected.
 */
export class CounterCell {
  /** The cumulative count. Only ever increases. */
  value = 0;

  /** Adds one. */
  inc(): void {
    this.value++;
  }

  /** Adds `amount`. Anything but a positive number (0, negative, NaN) is ignored: a counter never goes down. */
  add(amount: number): void {
    if (amount > 0) this.value += amount;
  }
}

/** Reads a gauge's current value at collection time; `undefined` means "no value now" and is not reported. */
export type GaugeReader = () => number | undefined;

/** What reports into a series: counter cells, gauge readers or histogram cells (one kind per series). */
type Cell = CounterCell | GaugeReader | HistogramCell;

interface Series<C extends Cell = Cell> {
  /**
   * The label set as an exposition writes it (`method="GET",route="/v1/chat"`), built once and shared by
   * every metric with the same label set (see {@link shareString}): also the series' key in its entry's map.
   * The attributes an OTLP export needs are read back from it at collection time.
   */
  readonly labels: string;
  /**
   * When the series started, in milliseconds after the registry's `epochMs`: a small integer, which V8
   * keeps unboxed (an epoch timestamp would be a heap number of its own per series).
   */
  readonly startOffsetMs: number;
  /** The cells reporting into it: nearly always one, kept without a collection around it. */
  cells: C | C[] | undefined;
  /**
   * What cells disposed while others still share the series counted, so the series' total never drops: a
   * number for counters, the merged snapshot for histograms (one field for both: a series is one kind, and
   * a field costs 8 bytes on every series).
   */
  retired: number | HistogramSnapshot | undefined;
}

function retiredCount(series: Series): number {
  return typeof series.retired === 'number' ? series.retired : 0;
}

function retiredHistogram(series: Series): HistogramSnapshot | undefined {
  return typeof series.retired === 'object' ? series.retired : undefined;
}

function addCell<C extends Cell>(series: Series<C>, cell: C): void {
  const cells = series.cells;
  if (cells === undefined) series.cells = cell;
  else if (Array.isArray(cells)) cells.push(cell);
  else series.cells = [cells, cell];
}

/** Removes `cell`; whether it was there. */
function removeCell<C extends Cell>(series: Series<C>, cell: C): boolean {
  const cells = series.cells;
  if (cells === cell) {
    series.cells = undefined;
    return true;
  }
  if (!Array.isArray(cells)) return false;
  const index = cells.indexOf(cell);
  if (index === -1) return false;
  cells.splice(index, 1);
  if (cells.length === 1) series.cells = cells[0];
  return true;
}

function cellList<C extends Cell>(series: Series<C>): readonly C[] {
  const cells = series.cells;
  return cells === undefined ? [] : Array.isArray(cells) ? cells : [cells];
}

interface DefinitionState {
  readonly definition: MetricDefinition;
  readonly series: Map<string, Series>;
}

/** One series' value at a collection. */
export interface SeriesSnapshot {
  /** The label set as OTel attributes (catalog label names; values after the label guard). */
  readonly attributes: Attributes;
  /** The label set as an exposition writes it: `method="GET",route="/v1/chat"` (no braces; `''` for none). */
  readonly labels: string;
  /** The counter's total or the gauge's value; for a histogram, its count. */
  readonly value: number;
  /** A histogram's buckets, sum, count, min and max. */
  readonly histogram?: HistogramSnapshot;
  /** When the series started (ms since the epoch); a counter's values count from here. */
  readonly startTimeMs: number;
}

/** A catalog entry's series at a collection; series with no value are left out. */
export interface MetricSnapshot {
  readonly definition: MetricDefinition;
  readonly series: readonly SeriesSnapshot[];
}

/**
 * Holds every series Sightglass reports, as plain numbers: counter cells, gauge readers and histogram
 * cells. A MetricProducer (`@sightglass/node`) reads them at collection time.
 *
 * Why not observable instruments and `Histogram.record`: the OTel SDK keeps exporting the last value of
 * every attribute set it ever saw under cumulative temporality, so a gauge that has no value now, or a
 * disposed breaker, could never disappear; and `Counter.add`/`Histogram.record` hash their attributes on
 * every call. Here a series that reads `undefined` or was disposed is simply not in the snapshot, and
 * recording is an increment.
 */
export class MetricRegistry {
  private readonly states = new Map<string, DefinitionState>();
  /**
   * One guard per label name, shared by every entry that carries the label: a request counter and its
   * duration histogram then always agree on which routes became `other`, and each value is remembered once.
   */
  private readonly labelGuards = new Map<string, LabelGuard>();
  private labelGuardOptions: LabelGuardOptions = {};
  /** What series' start offsets count from. */
  private readonly epochMs = Date.now();

  /**
   * Sets the bounds on label values. Values that series report under stay admitted; the new bounds decide
   * for every value seen from now on. `{}` restores the defaults.
   *
   * A value holds one of its label's `maxValues` slots while a series reports under it. When every slot is
   * taken, a new value takes the slot of the value whose series have been gone the longest, if any; else it
   * becomes `other`. Values in use are never pushed out.
   */
  setLabelGuardOptions(options: LabelGuardOptions): void {
    new LabelGuard(options); // validates before anything changes
    this.labelGuardOptions = { ...options };
    for (const guard of this.labelGuards.values()) guard.configure(options);
  }

  /** Starts reporting a counter series; returns its cell and the function that stops reporting it. */
  addCounter<D extends MetricDefinition>(
    definition: D,
    labels: LabelValues<D>,
  ): { cell: CounterCell; remove: () => void } {
    expectKind(definition, 'counter');
    const cell = new CounterCell();
    const series = this.seriesFor(definition, labels) as Series<CounterCell>;
    addCell(series, cell);
    return {
      cell,
      remove: () =>
        this.removeFromSeries(definition, series, () => {
          if (removeCell(series, cell)) series.retired = retiredCount(series) + cell.value;
        }),
    };
  }

  /** Starts reporting a gauge series read by `read` at collection time; returns what stops it. */
  addGauge<D extends MetricDefinition>(definition: D, labels: LabelValues<D>, read: GaugeReader): () => void {
    expectKind(definition, 'gauge');
    const series = this.seriesFor(definition, labels) as Series<GaugeReader>;
    addCell(series, read);
    return () => this.removeFromSeries(definition, series, () => removeCell(series, read));
  }

  /** Starts reporting a histogram series; returns its cell and the function that stops reporting it. */
  addHistogram<D extends MetricDefinition>(
    definition: D,
    labels: LabelValues<D>,
  ): { cell: HistogramCell; remove: () => void } {
    expectKind(definition, 'histogram');
    const cell = new HistogramCell(definition.boundaries ?? []);
    const series = this.seriesFor(definition, labels) as Series<HistogramCell>;
    addCell(series, cell);
    const remove = (): void =>
      this.removeFromSeries(definition, series, () => {
        if (removeCell(series, cell)) {
          series.retired = mergeHistograms(cell.boundaries, [cell], retiredHistogram(series));
        }
      });
    return { cell, remove };
  }

  /**
   * Applies the entry's label guards to a label set (a new object; the input is not changed): the values a
   * series made now would report under. Admits nothing: only a series that is made takes a value's slot.
   */
  guardLabels<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): Attributes {
    const guarded: Attributes = {};
    for (const label of definition.labels) {
      const raw = (labels as Record<string, unknown>)[label];
      // A label left undefined is left out (an optional attribute such as `error.type`); Prometheus reads a
      // missing label and an empty one alike.
      if (raw !== undefined) guarded[label] = this.labelGuard(label).resolve(String(raw));
    }
    return guarded;
  }

  /**
   * Every series with a value now: counters summed per label set, gauges read (a reader that throws is
   * reported and skipped), histograms merged. Never throws.
   */
  snapshot(): MetricSnapshot[] {
    const snapshots: MetricSnapshot[] = [];
    for (const state of this.states.values()) {
      if (state.series.size === 0) continue;
      const series: SeriesSnapshot[] = [];
      for (const current of state.series.values()) {
        if (state.definition.kind === 'histogram') {
          const histogram = mergeHistograms(
            state.definition.boundaries ?? [],
            cellList(current as Series<HistogramCell>),
            retiredHistogram(current),
          );
          if (histogram.count > 0) {
            series.push(
              new RegistrySeriesSnapshot(
                state.definition,
                current.labels,
                histogram.count,
                this.epochMs + current.startOffsetMs,
                histogram,
              ),
            );
          }
          continue;
        }
        const value = state.definition.kind === 'counter' ? sumCounters(current) : readGauges(state, current);
        if (value !== undefined && Number.isFinite(value)) {
          series.push(
            new RegistrySeriesSnapshot(
              state.definition,
              current.labels,
              value,
              this.epochMs + current.startOffsetMs,
            ),
          );
        }
      }
      if (series.length > 0) snapshots.push({ definition: state.definition, series });
    }
    return snapshots;
  }

  /**
   * The current value of one counter or gauge series (after the label guard), or `undefined` when the series
   * does not exist or has no value now. For dashboards and tests; collection uses {@link snapshot}.
   */
  value<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): number | undefined {
    const state = this.states.get(definition.name);
    if (state === undefined || definition.kind === 'histogram') return undefined;
    const series = state.series.get(labelString(definition, this.guardLabels(definition, labels)));
    if (series === undefined) return undefined;
    const value = definition.kind === 'counter' ? sumCounters(series) : readGauges(state, series);
    return value !== undefined && Number.isFinite(value) ? value : undefined;
  }

  /** How many series are reported for an entry (tests, diagnostics). */
  seriesCount(definition: MetricDefinition): number {
    return this.states.get(definition.name)?.series.size ?? 0;
  }

  private seriesFor<D extends MetricDefinition>(definition: D, labels: LabelValues<D>): Series {
    validateLabels(definition, labels);
    const state = this.stateFor(definition);
    const attributes = this.guardLabels(definition, labels);
    const key = labelString(definition, attributes);
    let series = state.series.get(key);
    if (series === undefined) {
      // The series holds its label values' slots until it is removed (see removeFromSeries).
      for (const label of definition.labels) {
        const value = attributes[label];
        if (value !== undefined) this.labelGuard(label).acquire(value as string);
      }
      series = {
        labels: shareString(key),
        startOffsetMs: smallInteger(Date.now() - this.epochMs),
        cells: undefined,
        retired: definition.kind === 'counter' ? 0 : undefined,
      };
      state.series.set(key, series);
    }
    return series;
  }

  private removeFromSeries(definition: MetricDefinition, series: Series, remove: () => void): void {
    remove();
    if (series.cells !== undefined) return;
    const state = this.states.get(definition.name);
    if (state?.series.get(series.labels) !== series) return;
    state.series.delete(series.labels);
    // Its label values no longer hold their slots: one no other series reports under can give its slot up.
    const attributes = parseLabelString(definition, series.labels);
    for (const label of definition.labels) {
      const value = attributes[label];
      if (value !== undefined) this.labelGuards.get(label)?.release(value as string);
    }
  }

  private stateFor(definition: MetricDefinition): DefinitionState {
    let state = this.states.get(definition.name);
    if (state === undefined) {
      state = { definition, series: new Map() };
      this.states.set(definition.name, state);
    }
    return state;
  }

  private labelGuard(label: string): LabelGuard {
    let guard = this.labelGuards.get(label);
    if (guard === undefined) {
      guard = new LabelGuard(this.labelGuardOptions);
      this.labelGuards.set(label, guard);
    }
    return guard;
  }
}

/**
 * A series at a collection. Its attributes are parsed back from the label string on first use: the
 * Prometheus exposition writes the string and never needs them, and a registry that kept an attributes
 * object per series as well would hold every label value twice.
 */
class RegistrySeriesSnapshot implements SeriesSnapshot {
  readonly #definition: MetricDefinition;
  #attributes: Attributes | undefined;

  constructor(
    definition: MetricDefinition,
    readonly labels: string,
    readonly value: number,
    readonly startTimeMs: number,
    readonly histogram?: HistogramSnapshot,
  ) {
    this.#definition = definition;
  }

  get attributes(): Attributes {
    this.#attributes ??= parseLabelString(this.#definition, this.labels);
    return this.#attributes;
  }

  /** JSON has the attributes too, as it would for a plain object. */
  toJSON(): object {
    const { labels, value, startTimeMs, histogram, attributes } = this;
    return histogram === undefined
      ? { attributes, labels, value, startTimeMs }
      : { attributes, labels, value, histogram, startTimeMs };
  }
}

function sumCounters(series: Series): number {
  const cells = series.cells as CounterCell | CounterCell[] | undefined;
  const retired = retiredCount(series);
  if (cells === undefined) return retired;
  if (!Array.isArray(cells)) return retired + cells.value;
  let total = retired;
  for (const cell of cells) total += cell.value;
  return total;
}

/** The last reader that has a value wins: two readers on one label set are one series to Prometheus. */
function readGauges(state: DefinitionState, series: Series): number | undefined {
  let value: number | undefined;
  for (const read of cellList(series as Series<GaugeReader>)) {
    try {
      const current = read();
      if (current !== undefined) value = current;
    } catch (error) {
      reportInstrumentationError(`gauge ${state.definition.name}`, error);
    }
  }
  return value;
}

/**
 * `name="value",…` in the entry's label order, names as Prometheus writes them and values escaped as its
 * exposition formats escape them (a label left undefined is left out). One string per series, made once.
 */
function labelString(definition: MetricDefinition, attributes: Attributes): string {
  const parts: string[] = [];
  for (const label of definition.labels) {
    const value = attributes[label];
    if (value !== undefined) parts.push(`${prometheusLabelName(label)}="${escapeLabelValue(String(value))}"`);
  }
  // join() makes one flat string, where += would keep a tree of pieces alive behind the key.
  return parts.join(',');
}

/**
 * The attributes a label string was made from: the inverse of {@link labelString} for one entry (its
 * labels in order, each either present as `name="escaped value"` or left out).
 */
function parseLabelString(definition: MetricDefinition, labels: string): Attributes {
  const attributes: Attributes = {};
  let position = 0;
  for (const label of definition.labels) {
    const prefix = `${position === 0 ? '' : ','}${prometheusLabelName(label)}="`;
    if (!labels.startsWith(prefix, position)) continue;
    let value = '';
    let index = position + prefix.length;
    for (; index < labels.length && labels[index] !== '"'; index++) {
      const char = labels[index]!;
      if (char !== '\\') value += char;
      else value += labels[++index] === 'n' ? '\n' : labels[index]!;
    }
    attributes[label] = value;
    position = index + 1;
  }
  return attributes;
}

/**
 * `value` as V8 stores an integer without a box (a 32-bit integer) while it fits, which an offset in
 * milliseconds does for 24 days; after that it stays exact, in a box.
 */
function smallInteger(value: number): number {
  return value >= 0 && value < 2 ** 31 ? value | 0 : value;
}

/**
 * The one copy of `text` V8 keeps as a property name. Metrics reported under the same label set (a request
 * counter and its duration histogram) each build the same label string; handing both this copy keeps one
 * string per label set instead of one per metric. Property names are unique (internalized) strings in V8,
 * and its table of them holds them weakly, so nothing is kept once no series uses it.
 */
function shareString(text: string): string {
  for (const name in { [text]: 0 }) return name;
  return text;
}

export function expectKind(definition: MetricDefinition, kind: MetricDefinition['kind']): void {
  if (definition.kind !== kind) {
    throw new SightglassError(
      ErrorCode.INVALID_ARGUMENT,
      `${definition.name} is a ${definition.kind}, not a ${kind}`,
    );
  }
}

function validateLabels(definition: MetricDefinition, labels: object): void {
  const given = Object.keys(labels);
  // Every declared label must be given (an optional one as `undefined`), so a typo cannot drop a label.
  const missing = definition.labels.filter((label) => !given.includes(label));
  const extra = given.filter((label) => !definition.labels.includes(label));
  if (missing.length > 0 || extra.length > 0) {
    throw new SightglassError(
      ErrorCode.INVALID_LABELS,
      `${definition.name} takes labels [${definition.labels.join(', ')}]` +
        (missing.length > 0 ? `; missing [${missing.join(', ')}]` : '') +
        (extra.length > 0 ? `; unknown [${extra.join(', ')}]` : ''),
    );
  }
}

const REGISTRY_KEY = Symbol.for('@sightglass/core/metric-registry@1');

/**
 * The process-wide registry. It lives on `globalThis` so that two copies of @sightglass/core in one
 * application (a nested dependency) still report through one set of instruments.
 */
export function metricRegistry(): MetricRegistry {
  const holder = globalThis as { [REGISTRY_KEY]?: MetricRegistry };
  holder[REGISTRY_KEY] ??= new MetricRegistry();
  return holder[REGISTRY_KEY];
}
