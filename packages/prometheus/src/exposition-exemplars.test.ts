import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  CATALOG,
  createMetricGroup,
  type HistogramExemplar,
  type MetricSnapshot,
  metricRegistry,
} from '@sightglass/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ExpositionOptions,
  exemplarText,
  MAX_EXEMPLAR_LABEL_CHARACTERS,
  writeExposition,
} from './exposition.js';
import { createPrometheusReader } from './reader.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const OTHER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const OTHER_SPAN = 'b7ad6b7169203331';
/** 2024-12-03T18:20:00.123Z, in ms. */
const AT_MS = 1_733_250_000_123;

const OPEN_METRICS: ExpositionOptions = {
  format: 'openmetrics',
  scopeLabels: false,
  targetInfo: false,
  resourceConstantLabels: undefined,
};
const TEXT: ExpositionOptions = { ...OPEN_METRICS, format: 'text' };
const NO_SDK_METRICS = { resource: { attributes: {} }, scopeMetrics: [] } as never;

// One request_duration_seconds series as the HTTP instrumentation fills it: plain values, a value measured
// in a sampled span (0.43 s, the 0.5 bucket), and one past the last bound (the +Inf bucket).
const group = createMetricGroup();
const chat = group.histogram(CATALOG.requestDurationSeconds, {
  method: 'POST',
  route: '/chat',
  status: '200',
});
chat.record(0.2);
chat.recordExemplar(0.43, TRACE, SPAN, AT_MS);
chat.recordExemplar(150, OTHER_TRACE, OTHER_SPAN, AT_MS + 1000);
afterAll(() => group.dispose());

function chatLines(options: ExpositionOptions): string[] {
  const { text } = writeExposition(NO_SDK_METRICS, options, metricRegistry().snapshot());
  return text.split('\n').filter((line) => line.includes('route="/chat"'));
}

describe('exemplars in OpenMetrics 1.0', () => {
  it("writes each bucket's exemplar on its _bucket line: ids, value, recorded time in seconds to the ms", () => {
    const prefix = 'request_duration_seconds_bucket{method="POST",route="/chat",status="200",le=';
    expect(chatLines(OPEN_METRICS)).toEqual([
      `${prefix}"0.005"} 0`,
      `${prefix}"0.01"} 0`,
      `${prefix}"0.025"} 0`,
      `${prefix}"0.05"} 0`,
      `${prefix}"0.1"} 0`,
      `${prefix}"0.25"} 1`,
      `${prefix}"0.5"} 2 # {trace_id="${TRACE}",span_id="${SPAN}"} 0.43 1733250000.123`,
      `${prefix}"1.0"} 2`,
      `${prefix}"2.5"} 2`,
      `${prefix}"5.0"} 2`,
      `${prefix}"10.0"} 2`,
      `${prefix}"20.0"} 2`,
      `${prefix}"30.0"} 2`,
      `${prefix}"60.0"} 2`,
      `${prefix}"120.0"} 2`,
      `${prefix}"+Inf"} 3 # {trace_id="${OTHER_TRACE}",span_id="${OTHER_SPAN}"} 150 1733250001.123`,
      'request_duration_seconds_sum{method="POST",route="/chat",status="200"} 150.63',
      'request_duration_seconds_count{method="POST",route="/chat",status="200"} 3',
    ]);
  });

  it('writes none in the text format 0.0.4, whose parsers know no exemplars', () => {
    const lines = chatLines(TEXT);
    expect(lines).toHaveLength(18);
    expect(lines.filter((line) => line.includes('#'))).toEqual([]);
  });

  it('writes the same lines as before for a histogram without exemplars', () => {
    const plain = createMetricGroup();
    plain
      .histogram(CATALOG.requestDurationSeconds, { method: 'GET', route: '/plain', status: '200' })
      .record(3);
    try {
      const { text } = writeExposition(NO_SDK_METRICS, OPEN_METRICS, metricRegistry().snapshot());
      const lines = text.split('\n').filter((line) => line.includes('route="/plain"'));
      expect(lines).toHaveLength(18);
      expect(lines.filter((line) => line.includes('#'))).toEqual([]);
      expect(lines).toContain(
        'request_duration_seconds_bucket{method="GET",route="/plain",status="200",le="5.0"} 1',
      );
    } finally {
      plain.dispose();
    }
  });

  it('writes the scope labels on the sample, never inside the exemplar', () => {
    const { text } = writeExposition(
      NO_SDK_METRICS,
      { ...OPEN_METRICS, scopeLabels: true },
      metricRegistry().snapshot(),
    );
    const line = text.split('\n').find((candidate) => candidate.includes(`trace_id="${TRACE}"`));
    expect(line).toMatch(
      new RegExp(
        `^request_duration_seconds_bucket\\{method="POST",route="/chat",status="200",otel_scope_name="@sightglass/core",otel_scope_version="[^"]+",le="0.5"\\} 2 # \\{trace_id="${TRACE}",span_id="${SPAN}"\\} 0.43 1733250000.123$`,
      ),
    );
  });

  it("leaves the application's own OTel histograms without exemplars, beside Sightglass's that have them", async () => {
    const reader = createPrometheusReader({ targetInfo: false });
    const provider = new MeterProvider({ readers: [reader] });
    try {
      provider
        .getMeter('app')
        .createHistogram('app_latency_seconds', { unit: 's', advice: { explicitBucketBoundaries: [0.5] } })
        .record(0.43, { route: '/chat' });
      const text = await reader.render('openmetrics');
      expect(text).toContain('app_latency_seconds_bucket{route="/chat",otel_scope_name="app",le="0.5"} 1\n');
      expect(text.split('\n').filter((line) => line.startsWith('app_latency') && line.includes('#'))).toEqual(
        [],
      );
      expect(text).toContain(`# {trace_id="${TRACE}",span_id="${SPAN}"} 0.43 1733250000.123\n`);
      expect(text.endsWith('# EOF\n')).toBe(true);
    } finally {
      await provider.shutdown();
    }
  });
});

describe('exemplarText', () => {
  const exemplar = (traceId: string, spanId: string, overrides: Partial<HistogramExemplar> = {}) => ({
    value: 0.25,
    timeMs: AT_MS,
    traceId,
    spanId,
    ...overrides,
  });

  it('escapes ids as label values are escaped (the registry checks their length, not their digits)', () => {
    const traceId = `a"b\\c\n${'d'.repeat(26)}`;
    expect(traceId).toHaveLength(32);
    expect(exemplarText(exemplar(traceId, SPAN))).toBe(
      ` # {trace_id="a\\"b\\\\c\\n${'d'.repeat(26)}",span_id="${SPAN}"} 0.25 1733250000.123`,
    );
  });

  it(`keeps a label set of ${MAX_EXEMPLAR_LABEL_CHARACTERS} characters and drops one longer`, () => {
    // trace_id + span_id are 15 characters of names.
    const fits = exemplar('t'.repeat(100), 's'.repeat(13));
    const over = exemplar('t'.repeat(100), 's'.repeat(14));
    expect(exemplarText(fits)).toContain(`trace_id="${'t'.repeat(100)}"`);
    expect(exemplarText(over)).toBe('');
  });

  it('counts characters, not UTF-16 units, as OpenMetrics does (and before escaping)', () => {
    // 60 astral characters are 120 UTF-16 units but 60 characters: 60 + 16 + 15 = 91.
    const astral = '🔭'.repeat(60);
    expect(exemplarText(exemplar(astral, SPAN))).toContain(`trace_id="${astral}"`);
    // Quotes double when escaped, but the limit counts the value itself: 15 + 97 + 16 = 128.
    expect(exemplarText(exemplar('"'.repeat(97), SPAN))).not.toBe('');
    expect(exemplarText(exemplar('"'.repeat(98), SPAN))).toBe('');
  });

  it('writes the time in seconds to the millisecond, and none when it is not a number', () => {
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: 1_733_250_000_000 }))).toMatch(/ 1733250000\.000$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: 1_733_250_000_005 }))).toMatch(/ 1733250000\.005$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: 1_733_250_000_050 }))).toMatch(/ 1733250000\.050$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: 999 }))).toMatch(/ 0\.999$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: -1500 }))).toMatch(/ -1\.500$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: 1_733_250_000_000.4 }))).toMatch(/ 1733250000\.000$/);
    expect(exemplarText(exemplar(TRACE, SPAN, { timeMs: Number.NaN }))).toBe(
      ` # {trace_id="${TRACE}",span_id="${SPAN}"} 0.25`,
    );
  });

  it('names a dropped exemplar, and still writes its bucket', () => {
    const definition = { ...CATALOG.requestDurationSeconds, boundaries: [1] };
    const long: HistogramExemplar = exemplar('x'.repeat(120), SPAN);
    const snapshot: MetricSnapshot = {
      definition,
      series: [
        {
          attributes: {},
          labels: 'route="/long"',
          value: 1,
          startTimeMs: 0,
          histogram: {
            boundaries: [1],
            counts: [1, 0],
            sum: 0.25,
            count: 1,
            min: 0.25,
            max: 0.25,
            exemplars: [long, undefined],
          },
        },
      ],
    };
    const { text, dropped } = writeExposition(NO_SDK_METRICS, OPEN_METRICS, [snapshot]);
    expect(text).toContain(
      'request_duration_seconds_bucket{route="/long",le="1.0"} 1\nrequest_duration_seconds_bucket{route="/long",le="+Inf"} 1\n',
    );
    expect(dropped).toEqual([
      'request_duration_seconds_bucket{route="/long",le="1.0"} exemplar (labels over 128 characters)',
    ]);
  });
});
