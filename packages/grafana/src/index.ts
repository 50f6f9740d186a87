export {
  ALERTING_GROUP,
  type AlertOptions,
  alertExpressions,
  alertingRuleFile,
  alertingRules,
  DEFAULT_ALERT_OPTIONS,
} from './alerting-rules.js';
export {
  buildDashboard,
  DATASOURCE,
  DATASOURCE_VARIABLE,
  type DashboardOptions,
  dashboardRows,
  SCHEMA_VERSION,
  templateVariables,
} from './dashboard.js';
export { ARTIFACT_PATHS, GENERATE_COMMAND, generateArtifacts, renderArtifacts } from './generate.js';
export { formatJson } from './json-format.js';
export type { PanelSpec, QuerySpec, RowSpec } from './panels.js';
export { DASHBOARD_SCOPE, promLabel, type QueryScope, ruleScope } from './promql.js';
export {
  dashboardQueries,
  dataPanels,
  interpolateQuery,
  type PanelQuery,
  type QueryVariables,
} from './queries.js';
export { RECORDING_GROUP, recordingRuleFile, recordingRules, recordName } from './recording-rules.js';
export {
  type AlertingRule,
  type RecordingRule,
  RULE_FILE_HEADER,
  type RuleFile,
  type RuleGroup,
  renderRuleFile,
} from './rule-file.js';
export { RUNTIME_LABELS, RUNTIME_METRICS, runtimeMetricNames } from './runtime-metrics.js';
export {
  EXEMPLAR_TRACE_ID_LABEL,
  exploreTracesUrl,
  TRACE_QUERIES,
  TRACES_VARIABLE,
  traceDatasourceVariable,
  tracesLink,
} from './traces.js';
export type {
  Dashboard,
  DataPanel,
  DatasourceRef,
  FieldDefaults,
  GridPos,
  Panel,
  PanelLink,
  PrometheusTarget,
  RowPanel,
  TemplateVariable,
  ThresholdStep,
  TraceDatasourceVariable,
  ValueMapping,
} from './types.js';
