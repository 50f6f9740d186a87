import { SPEC_METRICS } from '@sightglass/test-kit';
import { describe, expect, it } from 'vitest';
import { CATALOG, catalogEntries, GENAI_SEMCONV_VERSION, prometheusName, prometheusType } from './catalog.js';

describe('metric catalog', () => {
  it('holds the nine spec metrics exactly as Prometheus must show them', () => {
    const exposed = catalogEntries().map((entry) => [
      prometheusName(entry),
      prometheusType(entry),
      entry.labels,
    ]);
    for (const [name, type, labels] of SPEC_METRICS) expect(exposed).toContainEqual([name, type, labels]);
  });

  it('gives every entry a valid, unique name and a description', () => {
    const names = new Set<string>();
    for (const entry of catalogEntries()) {
      expect(entry.name).toMatch(/^[a-z][a-z0-9_.]*$/);
      expect(entry.description.length).toBeGreaterThan(5);
      expect(names.has(prometheusName(entry))).toBe(false);
      names.add(prometheusName(entry));
    }
  });

  it('never uses unit "1" (OTLP translators would append _ratio)', () => {
    for (const entry of catalogEntries()) expect(entry.unit).not.toBe('1');
  });

  it('gives histograms ascending buckets, reaching LLM-length calls where a whole call is measured', () => {
    const histograms = catalogEntries().filter((entry) => entry.kind === 'histogram');
    expect(histograms.length).toBeGreaterThan(0);
    for (const entry of histograms) {
      const boundaries = entry.boundaries ?? [];
      expect([...boundaries].sort((a, b) => a - b)).toEqual(boundaries);
    }
    // Whole requests, loads and LLM operations can take a minute; the semconv-given per-token and first-chunk
    // buckets (and http.server.request.duration's) are kept as the conventions define them.
    for (const entry of [
      CATALOG.requestDurationSeconds,
      CATALOG.cacheLoadDurationSeconds,
      CATALOG.genAiClientOperationDuration,
    ]) {
      expect(Math.max(...(entry.boundaries ?? []))).toBeGreaterThanOrEqual(60);
    }
  });

  it('appends _total to counters once and replaces characters Prometheus does not allow', () => {
    expect(prometheusName({ ...CATALOG.requests, name: 'requests_total' })).toBe('requests_total');
    expect(prometheusName({ ...CATALOG.requestDurationSeconds, name: 'gen_ai.client.duration' })).toBe(
      'gen_ai_client_duration',
    );
  });

  it('is frozen so that no package can rename a metric at run time', () => {
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(Object.isFrozen(CATALOG.requests)).toBe(true);
    expect(Object.isFrozen(CATALOG.requests.labels)).toBe(true);
  });
});

/**
 * The GenAI metrics as semantic conventions v1.41.0 define them (docs/gen-ai/gen-ai-metrics.md and
 * model/gen-ai/metrics.yaml): name, instrument, unit, attributes and the explicit bucket boundaries advised.
 */
describe('GenAI metrics follow the semantic conventions', () => {
  const common = [
    'gen_ai.operation.name',
    'gen_ai.provider.name',
    'gen_ai.request.model',
    'gen_ai.response.model',
    'server.address',
    'server.port',
  ];
  const durations = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
  const spec = [
    [CATALOG.genAiClientOperationDuration, 'gen_ai.client.operation.duration', 's', true, durations],
    [
      CATALOG.genAiClientTokenUsage,
      'gen_ai.client.token.usage',
      '{token}',
      false,
      [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
    ],
    [
      CATALOG.genAiClientTimeToFirstChunk,
      'gen_ai.client.operation.time_to_first_chunk',
      's',
      false,
      durations,
    ],
    [
      CATALOG.genAiClientTimePerOutputChunk,
      'gen_ai.client.operation.time_per_output_chunk',
      's',
      false,
      durations,
    ],
    [CATALOG.genAiServerRequestDuration, 'gen_ai.server.request.duration', 's', true, durations],
    [
      CATALOG.genAiServerTimeToFirstToken,
      'gen_ai.server.time_to_first_token',
      's',
      false,
      [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    ],
    [
      CATALOG.genAiServerTimePerOutputToken,
      'gen_ai.server.time_per_output_token',
      's',
      false,
      [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5],
    ],
  ] as const;

  it.each(spec)('%o', (entry, name, unit, withError, boundaries) => {
    expect(entry.name).toBe(name);
    expect(entry.kind).toBe('histogram');
    expect(entry.unit).toBe(unit);
    expect(entry.boundaries).toEqual(boundaries);
    const labels = [...entry.labels].filter((label) => label !== 'gen_ai.token.type');
    expect(labels.filter((label) => label !== 'error.type')).toEqual(common);
    // error.type only on the two metrics the conventions give it to.
    expect(labels.includes('error.type')).toBe(withError);
  });

  it('token usage carries gen_ai.token.type; the version followed is named', () => {
    expect(CATALOG.genAiClientTokenUsage.labels).toContain('gen_ai.token.type');
    expect(GENAI_SEMCONV_VERSION).toBe('1.41.0');
  });

  it('names the non-convention operator metrics in the catalog style, with seconds and bytes', () => {
    expect(prometheusName(CATALOG.ollamaModelLoadDurationSeconds)).toBe('ollama_model_load_duration_seconds');
    expect(prometheusName(CATALOG.connectionPoolWaitDurationSeconds)).toBe(
      'connection_pool_wait_duration_seconds',
    );
    expect(prometheusName(CATALOG.ollamaPsPollFailures)).toBe('ollama_ps_poll_failures_total');
    for (const entry of [CATALOG.ollamaModelSizeBytes, CATALOG.ollamaModelVramBytes]) {
      expect([entry.unit, entry.labels]).toEqual(['By', ['pool_name', 'model']]);
    }
    expect(CATALOG.ollamaLoadedModels.labels).toEqual(['pool_name']);
  });
});
