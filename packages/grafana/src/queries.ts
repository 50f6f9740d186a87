import type { Dashboard, DataPanel, Panel } from './types.js';

/** One query of a dashboard panel. */
export interface PanelQuery {
  /** The panel's title. */
  readonly panel: string;
  /** The panel's id. */
  readonly panelId: number;
  /** The query's refId within the panel (`A`, `B`, ...). */
  readonly refId: string;
  /** The PromQL, with Grafana's variables (`$__rate_interval`, `$job`, `$instance`) uninterpolated. */
  readonly expr: string;
}

/** The panels that show data (not row headers), including any nested in collapsed rows. */
export function dataPanels(dashboard: Pick<Dashboard, 'panels'>): DataPanel[] {
  const flatten = (panels: readonly Panel[]): DataPanel[] =>
    panels.flatMap((panel) => (panel.type === 'row' ? flatten(panel.panels) : [panel]));
  return flatten(dashboard.panels);
}

/**
 * Every PromQL query of a dashboard, with its panel, in panel order. Run them through
 * `interpolateQuery()` before sending them to Prometheus.
 */
export function dashboardQueries(dashboard: Pick<Dashboard, 'panels'>): PanelQuery[] {
  return dataPanels(dashboard).flatMap((panel) =>
    panel.targets.map((target) => ({
      panel: panel.title,
      panelId: panel.id,
      refId: target.refId,
      expr: target.expr,
    })),
  );
}

/** The values `interpolateQuery()` gives Grafana's variables. */
export interface QueryVariables {
  /** `$__rate_interval`. Default `1m`. */
  rateInterval?: string;
  /** `$job` (a regex). Default `.*`. */
  job?: string;
  /** `$instance` (a regex). Default `.*`. */
  instance?: string;
}

/**
 * Replaces the Grafana variables of a dashboard query with concrete values, as Grafana would before
 * sending it, so the query can run against Prometheus' HTTP API directly.
 */
export function interpolateQuery(expr: string, variables: QueryVariables = {}): string {
  return expr
    .replaceAll('$__rate_interval', variables.rateInterval ?? '1m')
    .replaceAll('$job', variables.job ?? '.*')
    .replaceAll('$instance', variables.instance ?? '.*');
}
