/**
 * The parts of Grafana's dashboard JSON model (schema version 39) this package writes. Only what the
 * generated dashboard uses is typed; Grafana fills in the rest with its defaults on import.
 */

/** A reference to a data source; `uid` is `${datasource}`, the dashboard's data-source variable. */
export interface DatasourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** One PromQL query of a panel. */
export interface PrometheusTarget {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly editorMode: 'code';
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: true;
}

/** Where a panel sits on the 24-column grid. */
export interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

/** A threshold step; the first step's `value` is `null` (minus infinity). */
export interface ThresholdStep {
  readonly color: string;
  readonly value: number | null;
}

/** A value mapping from exact values to text and color (`{"0": {"text": "closed", ...}}`). */
export interface ValueMapping {
  readonly type: 'value';
  readonly options: Readonly<
    Record<string, { readonly text: string; readonly color: string; readonly index: number }>
  >;
}

/** `fieldConfig.defaults` of a panel. `unit` is a Grafana unit id: `reqps`, `s`, `percent`, `bytes`, ... */
export interface FieldDefaults {
  readonly unit: string;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly color: { readonly mode: 'palette-classic' | 'thresholds' };
  readonly thresholds: { readonly mode: 'absolute'; readonly steps: readonly ThresholdStep[] };
  readonly mappings: readonly ValueMapping[];
  readonly custom?: Readonly<Record<string, unknown>>;
}

/** A panel that shows data: a time series or a stat. */
export interface DataPanel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat';
  readonly title: string;
  readonly description: string;
  readonly datasource: DatasourceRef;
  readonly gridPos: GridPos;
  readonly fieldConfig: { readonly defaults: FieldDefaults; readonly overrides: readonly never[] };
  readonly options: Readonly<Record<string, unknown>>;
  readonly targets: readonly PrometheusTarget[];
}

/** A row header; its panels follow it in the dashboard's `panels` (it is not collapsed). */
export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GridPos;
  readonly panels: readonly never[];
}

/** Any panel of the dashboard. */
export type Panel = DataPanel | RowPanel;

/** A dashboard variable: the data source, or a `label_values()` query. */
export interface TemplateVariable {
  readonly name: string;
  readonly label: string;
  readonly type: 'datasource' | 'query';
  readonly [field: string]: unknown;
}

/** A Grafana dashboard as this package generates it. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly schemaVersion: number;
  readonly version: number;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly timezone: string;
  readonly templating: { readonly list: readonly TemplateVariable[] };
  readonly annotations: { readonly list: readonly unknown[] };
  readonly links: readonly never[];
  readonly panels: readonly Panel[];
  readonly [field: string]: unknown;
}
