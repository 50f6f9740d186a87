import type { ThresholdStep, ValueMapping } from './types.js';

/** One query of a panel: the PromQL and the legend (`{{label}}` templates). */
export interface QuerySpec {
  readonly expr: string;
  readonly legend: string;
}

/** A panel as a row declares it; the dashboard gives it its id, grid position and data source. */
export interface PanelSpec {
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: `reqps`, `ops`, `s`, `percent` (0..100), `percentunit` (0..1), `short`, `bytes`, `none`. */
  readonly unit: string;
  readonly queries: readonly QuerySpec[];
  /** Width in grid columns (of 24). */
  readonly width: number;
  /** Height in grid rows. */
  readonly height: number;
  readonly min?: number;
  readonly max?: number;
  /** Threshold steps (stat colors); default a single green step. */
  readonly thresholds?: readonly ThresholdStep[];
  readonly mappings?: readonly ValueMapping[];
  /** Draw as steps (for states) instead of lines. Time series only. */
  readonly steps?: boolean;
  /**
   * A latency panel whose histogram keeps exemplars: its first query also fetches them (the other quantiles
   * read the same bucket series, so they would fetch the same exemplars again), and a "Traces" link opens
   * Explore on the trace data source with this TraceQL query. Time series only.
   */
  readonly traces?: string;
}

/** A row of the dashboard: its title and its panels; `id` is the row's id and its panels count on from it. */
export interface RowSpec {
  readonly id: number;
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** Optional parts of a panel spec. */
export type PanelExtras = Pick<PanelSpec, 'min' | 'max' | 'thresholds' | 'mappings' | 'steps' | 'traces'>;

/** The default size of a time series: a third of the width. */
const TIMESERIES_SIZE = { width: 8, height: 8 } as const;
/** The default size of a stat. */
const STAT_SIZE = { width: 4, height: 4 } as const;

/** A time-series panel spec. */
export function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: readonly QuerySpec[],
  extras: PanelExtras & Partial<Pick<PanelSpec, 'width' | 'height'>> = {},
): PanelSpec {
  return { type: 'timeseries', title, description, unit, queries, ...TIMESERIES_SIZE, ...extras };
}

/** A stat panel spec (one big number, the last value, with a sparkline). */
export function stat(
  title: string,
  description: string,
  unit: string,
  query: QuerySpec,
  extras: PanelExtras & Partial<Pick<PanelSpec, 'width' | 'height'>> = {},
): PanelSpec {
  return { type: 'stat', title, description, unit, queries: [query], ...STAT_SIZE, ...extras };
}

/** A query spec. */
export function query(expr: string, legend: string): QuerySpec {
  return { expr, legend };
}

/** A legend of label templates: `legend('pool_name', 'instance')` is `{{pool_name}} {{instance}}`. */
export function legend(...labels: readonly string[]): string {
  return labels.map((label) => `{{${label}}}`).join(' ');
}

/** Threshold steps from a base color and `[value, color]` pairs above it. */
export function thresholds(
  base: string,
  ...steps: ReadonlyArray<readonly [number, string]>
): ThresholdStep[] {
  return [{ color: base, value: null }, ...steps.map(([value, color]) => ({ color, value }))];
}

/** A value mapping from exact values to text and color. */
export function valueMapping(entries: ReadonlyArray<readonly [number, string, string]>): ValueMapping {
  return {
    type: 'value',
    options: Object.fromEntries(
      entries.map(([value, text, color], index) => [String(value), { text, color, index }]),
    ),
  };
}
