export {
  type AlertOptions,
  alertExpressions,
  alertingRuleFile,
  alertingRules,
  DEFAULT_ALERT_OPTIONS,
} from './alerting-rules.js';
export { buildDashboard, type DashboardOptions } from './dashboard.js';
export { ARTIFACT_PATHS, generateArtifacts, renderArtifacts } from './generate.js';
export { formatJson } from './json-format.js';

export { dashboardQueries, interpolateQuery, type PanelQuery, type QueryVariables } from './queries.js';
export { recordingRuleFile, recordingRules } from './recording-rules.js';
export {
  type AlertingRule,
  type RecordingRule,
  type RuleFile,
  type RuleGroup,
  renderRuleFile,
} from './rule-file.js';
export { RUNTIME_METRICS } from './runtime-metrics.js';

export type {
  AnnotationQuery,
  Dashboard,
  DataPanel,
  DatasourceRef,
  DatasourceVariable,
  FieldDefaults,
  GridPos,
  Panel,
  PanelLink,
  PrometheusTarget,
  QueryVariable,
  RowPanel,
  TemplateVariable,
  ThresholdStep,
  TraceDatasourceVariable,
  ValueMapping,
  VariableBase,
  VariableHide,
  VariableOption,
  VariableRefresh,
  VariableSort,
} from './types.js';
