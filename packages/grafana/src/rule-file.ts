import { toYaml } from './yaml.js';

/** A Prometheus alerting rule. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires (a Prometheus duration). */
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' | 'info'; readonly [label: string]: string };
  readonly annotations: { readonly summary: string; readonly description: string };
}

/** A Prometheus recording rule, named `level:metric:operations`. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: { readonly [label: string]: string };
}

/** A rule group: rules evaluated together, in order. */
export interface RuleGroup<R extends AlertingRule | RecordingRule = AlertingRule | RecordingRule> {
  readonly name: string;
  /** Evaluation interval; Prometheus' global `evaluation_interval` when absent. */
  readonly interval?: string;
  readonly rules: readonly R[];
}

/** The content of a Prometheus rule file (`rule_files:` in prometheus.yml). */
export interface RuleFile<R extends AlertingRule | RecordingRule = AlertingRule | RecordingRule> {
  readonly groups: readonly RuleGroup<R>[];
}

/** The comment on top of every generated rule file. */
export const RULE_FILE_HEADER: readonly string[] = Object.freeze([
  'Generated from the Sightglass metric catalog by @sightglass/grafana',
  '(npx pnpm@10 --filter @sightglass/grafana generate). Tune thresholds in a copy, or with',
  'alertingRules({ ... }) of @sightglass/grafana; docs/monitoring.md explains each rule.',
]);

/** A rule file as YAML, ready for `rule_files:` (and for `promtool check rules`). */
export function renderRuleFile(file: RuleFile, header: readonly string[] = RULE_FILE_HEADER): string {
  return toYaml(
    {
      groups: file.groups.map((group) => ({
        name: group.name,
        interval: group.interval,
        rules: group.rules.map((rule) =>
          'alert' in rule
            ? {
                alert: rule.alert,
                expr: rule.expr,
                for: rule.for,
                labels: { ...rule.labels },
                annotations: { ...rule.annotations },
              }
            : {
                record: rule.record,
                expr: rule.expr,
                labels: rule.labels === undefined ? undefined : { ...rule.labels },
              },
        ),
      })),
    },
    header,
  );
}
