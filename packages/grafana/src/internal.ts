/**
 * For Sightglass's own packages and test tools: what they share with @sightglass/grafana beyond its public
 * API. Not for applications: no semver promise, and it changes without notice. Import the package's main
 * entry point instead.
 *
 * @packageDocumentation
 */
export { ALERTING_GROUP } from './alerting-rules.js';
export {
  DATASOURCE,
  DATASOURCE_VARIABLE,
  dashboardRows,
  SCHEMA_VERSION,
  templateVariables,
} from './dashboard.js';
export { GENERATE_COMMAND } from './generate.js';
export type { PanelSpec, QuerySpec, RowSpec } from './panels.js';
export { DASHBOARD_SCOPE, promLabel, type QueryScope, ruleScope } from './promql.js';
export { dataPanels } from './queries.js';
export { RECORDING_GROUP, recordName } from './recording-rules.js';
export { RULE_FILE_HEADER } from './rule-file.js';
export { RUNTIME_LABELS, runtimeMetricNames } from './runtime-metrics.js';
export {
  EXEMPLAR_TRACE_ID_LABEL,
  exploreTracesUrl,
  TRACE_QUERIES,
  TRACES_VARIABLE,
  traceDatasourceVariable,
  tracesLink,
} from './traces.js';
