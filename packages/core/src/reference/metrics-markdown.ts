import {
  catalogEntries,
  GENAI_SEMCONV_VERSION,
  type MetricDefinition,
  prometheusName,
  prometheusType,
} from '../catalog.js';

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
    '## GenAI semantic conventions',
    '',
    `The \`gen_ai.*\` metrics follow the OpenTelemetry semantic conventions v${GENAI_SEMCONV_VERSION}, the last release of the`,
    'GenAI conventions from open-telemetry/semantic-conventions (they now live in',
    'open-telemetry/semantic-conventions-genai; its unreleased main renames the client inference metrics to',
    '`gen_ai.client.inference.*` and replaces `gen_ai.client.token.usage` by counters, which Sightglass will follow',
    'once released). Names, units, attributes and bucket boundaries are the ones that version gives. `error.type` is',
    'set only on `gen_ai.client.operation.duration` and `gen_ai.server.request.duration`, when the operation failed',
    '(Ollama reports server timings only on success, so the server metric never carries it).',
    "`gen_ai.response.model` is the `model` field of Ollama's answer. The `gen_ai.server.*` figures are the ones",
    'Ollama reports on its final chunk: request duration `total_duration`, time to first token',
    '`load_duration + prompt_eval_duration` (queue, load and prompt evaluation), time per output token',
    '`eval_duration / eval_count`. The time to first chunk and per output chunk are measured by the client on',
    'streams only, as the application receives the chunks.',
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
