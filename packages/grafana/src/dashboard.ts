import type { PanelSpec, RowSpec } from './panels.js';
import { breakersRow } from './rows/breakers.js';
import { cachesRow } from './rows/caches.js';
import { genAiRow } from './rows/genai.js';
import { llmRow } from './rows/llm.js';
import { overviewRow } from './rows/overview.js';
import { poolsRow } from './rows/pools.js';
import { requestsRow } from './rows/requests.js';
import { runtimeRow } from './rows/runtime.js';
import { traceDatasourceVariable, tracesLink } from './traces.js';
import type {
  Dashboard,
  DataPanel,
  DatasourceRef,
  Panel,
  PrometheusTarget,
  QueryVariable,
  TemplateVariable,
} from './types.js';

/** Options of `buildDashboard()`. */
export interface DashboardOptions {
  /**
   * The dashboard's uid (its URL `/d/<uid>`).
   * @default `sightglass`
   */
  uid?: string;
  /**
   * @default `Sightglass`
   */
  title?: string;
  /**
   * @default `['sightglass', 'opentelemetry', 'llm']`
   */
  tags?: readonly string[];
  /**
   * Auto-refresh interval.
   * @default `10s`
   */
  refresh?: string;
}

/**
 * The Grafana dashboard schema version the JSON follows: 42, the current one of Grafana 12.2 to 13 and
 * `@grafana/schema` 13 (`defaultDashboard.schemaVersion`). Grafana 12.0 and 12.1 (41) load it as well.
 */
export const SCHEMA_VERSION = 42;

/** The name of the data-source variable every panel's `datasource.uid` refers to. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The data source of every panel and query variable: the one the data-source variable selects. */
export const DATASOURCE: DatasourceRef = Object.freeze({
  type: 'prometheus',
  uid: `\${${DATASOURCE_VARIABLE}}`,
});

const GRID_WIDTH = 24;

/** The rows of the dashboard, top to bottom. Panel ids are the row's id plus the panel's position. */
export function dashboardRows(): readonly RowSpec[] {
  return [
    overviewRow(),
    breakersRow(),
    poolsRow(),
    cachesRow(),
    requestsRow(),
    genAiRow(),
    llmRow(),
    runtimeRow(),
  ];
}

/**
 * Builds the Sightglass Grafana dashboard from the metric catalog: an overview, then rows for circuit
 * breakers, connection pools, caches, HTTP requests, GenAI calls and the Node.js runtime. Every panel
 * queries the Prometheus data source chosen in the `datasource` variable and filters by the `job` and
 * `instance` variables, so the same JSON works imported by hand or provisioned from a file.
 *
 * @example
 * writeFileSync('sightglass.json', JSON.stringify(buildDashboard({ uid: 'llm-gateway' }), null, 2));
 */
export function buildDashboard(options: DashboardOptions = {}): Dashboard {
  return {
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    description:
      'Circuit breakers, connection pools, caches, HTTP requests, GenAI calls and the Node.js runtime of services instrumented with Sightglass. Generated from the Sightglass metric catalog by @sightglass/grafana.',
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: layoutRows(dashboardRows()),
    refresh: options.refresh ?? '10s',
    schemaVersion: SCHEMA_VERSION,
    tags: [...(options.tags ?? ['sightglass', 'opentelemetry', 'llm'])],
    templating: { list: templateVariables() },
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: options.title ?? 'Sightglass',
    uid: options.uid ?? 'sightglass',
    version: 1,
    weekStart: '',
  };
}

/**
 * The dashboard's variables: the Prometheus data source, `job` and `instance` (multi-value, All), then the
 * optional trace data source (Tempo) the latency panels' "Traces" links open.
 */
export function templateVariables(): TemplateVariable[] {
  return [
    {
      name: DATASOURCE_VARIABLE,
      label: 'Data source',
      type: 'datasource',
      query: 'prometheus',
      hide: 0,
      includeAll: false,
      multi: false,
      options: [],
      refresh: 1,
      regex: '',
      skipUrlSync: false,
    },
    labelVariable('job', 'Job', 'label_values(up, job)'),
    labelVariable('instance', 'Instance', 'label_values(up{job=~"$job"}, instance)'),
    traceDatasourceVariable(),
  ];
}

function labelVariable(name: string, label: string, query: string): QueryVariable {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: { qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    current: { selected: true, text: ['All'], value: ['$__all'] },
    hide: 0,
    includeAll: true,
    allValue: '.*',
    multi: true,
    options: [],
    refresh: 2,
    regex: '',
    skipUrlSync: false,
    sort: 1,
  };
}

/**
 * Turns rows into Grafana's flat panel list: each row header on its own grid line, its panels flowing left
 * to right below it and wrapping at 24 columns. Ids are stable: a row's id, then its id + 1, + 2, ...
 */
export function layoutRows(rows: readonly RowSpec[]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: row.id,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: GRID_WIDTH, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    row.panels.forEach((spec, index) => {
      if (x + spec.width > GRID_WIDTH) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panels.push(dataPanel(row.id + index + 1, spec, { h: spec.height, w: spec.width, x, y }));
      x += spec.width;
      lineHeight = Math.max(lineHeight, spec.height);
    });
    y += lineHeight;
  }
  return panels;
}

function dataPanel(id: number, spec: PanelSpec, gridPos: DataPanel['gridPos']): DataPanel {
  const targets: PrometheusTarget[] = spec.queries.map((q, index) => ({
    refId: String.fromCharCode(65 + index), // A, B, C, ...
    datasource: DATASOURCE,
    editorMode: 'code',
    expr: q.expr,
    legendFormat: q.legend === '' ? '__auto' : q.legend,
    range: true,
    ...(spec.traces !== undefined && index === 0 ? { exemplar: true as const } : {}),
  }));
  const thresholds = {
    mode: 'absolute' as const,
    steps: spec.thresholds ?? [{ color: 'green', value: null }],
  };
  const limits = {
    ...(spec.min === undefined ? {} : { min: spec.min }),
    ...(spec.max === undefined ? {} : { max: spec.max }),
  };
  if (spec.type === 'stat') {
    return {
      id,
      type: 'stat',
      title: spec.title,
      description: spec.description,
      datasource: DATASOURCE,
      gridPos,
      fieldConfig: {
        defaults: {
          unit: spec.unit,
          ...limits,
          color: { mode: 'thresholds' },
          thresholds,
          mappings: spec.mappings ?? [],
        },
        overrides: [],
      },
      options: {
        colorMode: 'value',
        graphMode: 'area',
        justifyMode: 'auto',
        orientation: 'auto',
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        showPercentChange: false,
        textMode: 'auto',
        wideLayout: true,
      },
      targets,
    };
  }
  return {
    id,
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...limits,
        color: { mode: 'palette-classic' },
        custom: {
          drawStyle: 'line',
          fillOpacity: 10,
          lineInterpolation: spec.steps === true ? 'stepAfter' : 'smooth',
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          stacking: { group: 'A', mode: 'none' },
        },
        thresholds,
        mappings: spec.mappings ?? [],
      },
      overrides: [],
    },
    options: {
      legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets,
    ...(spec.traces === undefined ? {} : { links: [tracesLink(spec.traces)] }),
  };
}
