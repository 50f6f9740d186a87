import { catalogEntries, type MetricDefinition, prometheusName, prometheusType } from '../catalog.js';

/** The metric reference (docs/metrics.md), rendered from the catalog so it can never drift from it. */
export function renderMetricsReference(entries: readonly MetricDefinition[] = catalogEntries()): string {
  const lines = [
    '# Metric reference',
    '',
    '<!-- Generated from the catalog in packages/core/src/catalog.ts by `pnpm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Every metric Sightglass reports, as Prometheus shows it. The OTel instrument name is the Prometheus name',
    'without `_total`; over OTLP the metrics keep their OTel names and units. Every series also carries',
    '`otel_scope_name="@sightglass/core"` and `otel_scope_version` unless scope labels are turned off.',
    '',
    '| Prometheus name | type | unit | labels | description |',
    '|---|---|---|---|---|',
    ...entries.map(
      (entry) =>
        `| \`${prometheusName(entry)}\` | ${prometheusType(entry)} | \`${entry.unit}\` | ${entry.labels.map((label) => `\`${label}\``).join(', ') || '—'} | ${entry.description} |`,
    ),
    '',
    '## Histogram buckets',
    '',
    ...entries
      .filter((entry) => entry.kind === 'histogram')
      .flatMap((entry) => [
        `- \`${prometheusName(entry)}\` (${entry.unit}): ${(entry.boundaries ?? []).join(', ')}`,
      ]),
    '',
  ];
  return lines.join('\n');
}
