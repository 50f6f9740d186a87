/**
 * Grafana's dashboard JSON model (schema version 42, Grafana 12.2 to 13) as this package writes it: every
 * field the generated dashboard has, and nothing else. Each type is the JSON form of `@grafana/schema`'s
 * (an enum is its values) narrowed to what is written; `dashboard.schema.test.ts` checks, at compile time,
 * that every field here is one the schema declares, with a value it allows.
 */

/** A reference to a data source; `uid` is `${datasource}`, the dashboard's data-source variable. */
export interface DatasourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** One PromQL query of a panel (the schema types a target as a string-keyed record, hence `type`). */
export type PrometheusTarget = {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly editorMode: 'code';
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: true;
  /**
   * Also query the exemplars of the series `expr` reads (`/api/v1/query_exemplars`) and draw them as points
   * on the graph; absent, Grafana queries none.
   */
  readonly exemplar?: true;
};

/**
 * A panel link (the schema's DashboardLink, every field it requires): shown in the panel header's links
 * menu; Grafana fills in the variables of `url` when it is clicked.
 */
export interface PanelLink {
  readonly title: string;
  readonly type: 'link';
  readonly url: string;
  readonly tooltip: string;
  readonly icon: string;
  readonly targetBlank: boolean;
  readonly asDropdown: false;
  readonly includeVars: boolean;
  readonly keepTime: boolean;
  readonly tags: readonly never[];
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
  /** Panel links (a latency panel's "Traces"); absent on the others. */
  readonly links?: readonly PanelLink[];
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

/** A variable's visibility: 0 label and value, 1 value only, 2 hidden, 3 in the controls menu. */
export type VariableHide = 0 | 1 | 2 | 3;

/** When a variable's options are queried: 0 never, 1 on dashboard load, 2 on time range change. */
export type VariableRefresh = 0 | 1 | 2;

/** How a variable's options are sorted: 0 not, 1 alphabetically ascending, ... 8 naturally descending. */
export type VariableSort = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** A selected value of a variable (`current`): its text and value, each one string or several. */
export interface VariableOption {
  readonly selected?: boolean;
  readonly text: string | readonly string[];
  readonly value: string | readonly string[];
}

/** The fields every dashboard variable has. */
export interface VariableBase {
  readonly name: string;
  readonly label: string;
  readonly hide: VariableHide;
  readonly includeAll: boolean;
  readonly multi: boolean;
  readonly options: readonly never[];
  readonly refresh: VariableRefresh;
  readonly regex: string;
  readonly skipUrlSync: boolean;
}

/**
 * The data-source variable: `query` is the plugin type. It has no `current`, so Grafana selects the
 * default data source of that type.
 */
export interface DatasourceVariable extends VariableBase {
  readonly type: 'datasource';
  readonly query: 'prometheus';
}

/**
 * The trace data-source variable: `query` is the plugin type. Optional by design: with no data source of
 * that type the variable is empty and only the links that use it lead nowhere useful.
 */
export interface TraceDatasourceVariable extends VariableBase {
  readonly type: 'datasource';
  readonly query: 'tempo';
  readonly description: string;
}

/** A `label_values()` variable; `query` is the Prometheus variable editor's query object. */
export interface QueryVariable extends VariableBase {
  readonly type: 'query';
  readonly datasource: DatasourceRef;
  readonly query: {
    readonly qryType: 1;
    readonly query: string;
    readonly refId: 'PrometheusVariableQueryEditor-VariableQuery';
  };
  readonly current: VariableOption;
  readonly allValue: string;
  readonly sort: VariableSort;
}

/** A dashboard variable: the Prometheus or trace data source, or a `label_values()` query. */
export type TemplateVariable = DatasourceVariable | TraceDatasourceVariable | QueryVariable;

/** The built-in "Annotations & Alerts" annotation query of every dashboard. */
export interface AnnotationQuery {
  readonly builtIn: 1;
  readonly datasource: { readonly type: 'grafana'; readonly uid: '-- Grafana --' };
  readonly enable: boolean;
  readonly hide: boolean;
  readonly iconColor: string;
  readonly name: string;
  readonly type: 'dashboard';
}

/** A Grafana dashboard as this package generates it. */
export interface Dashboard {
  readonly annotations: { readonly list: readonly AnnotationQuery[] };
  readonly description: string;
  readonly editable: boolean;
  /** 0 = January. */
  readonly fiscalYearStartMonth: number;
  /** 0 no shared crosshair, 1 shared crosshair, 2 shared crosshair and tooltip. */
  readonly graphTooltip: 0 | 1 | 2;
  /** `null`: Grafana assigns the numeric id on import. */
  readonly id: null;
  readonly links: readonly never[];
  readonly panels: readonly Panel[];
  readonly refresh: string;
  readonly schemaVersion: number;
  readonly tags: readonly string[];
  readonly templating: { readonly list: readonly TemplateVariable[] };
  readonly time: { readonly from: string; readonly to: string };
  /** Grafana's default time picker. */
  readonly timepicker: Readonly<Record<never, never>>;
  readonly timezone: string;
  readonly title: string;
  readonly uid: string;
  readonly version: number;
  /** `''`: the locale's first day of the week. */
  readonly weekStart: string;
}
