import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CATALOG, createMetricGroup, type MetricSnapshot } from '@sightglass/core';
import {
  parseWithPrometheusClient,
  prometheusBinary,
  pythonPrometheusClient,
  type RunningPrometheus,
  startPrometheus,
  waitFor,
} from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeExposition } from './exposition.js';
import { createPrometheusReader, type PrometheusReader } from './reader.js';
import { type MetricsServer, startMetricsServer } from './server.js';

/**
 * Exemplars as readers nobody here wrote take them: Python's prometheus_client OpenMetrics parser, and a
 * real Prometheus scraping `/metrics` (it asks for OpenMetrics) with exemplar storage on, then answering
 * `/api/v1/query_exemplars` with the trace ids recorded.
 */
const FAST_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const FAST_SPAN = '00f067aa0ba902b7';
const SLOW_TRACE = '0af7651916cd43dd8448eb211c80319c';
const SLOW_SPAN = 'b7ad6b7169203331';
const recordedAtMs = Date.now() - 5_000;

let reader: PrometheusReader;
let provider: MeterProvider;
const group = createMetricGroup();
beforeAll(() => {
  reader = createPrometheusReader();
  provider = new MeterProvider({ readers: [reader] });
  // The application's own OTel histogram: the SDK records no exemplars, and it is scraped beside ours.
  provider
    .getMeter('app')
    .createHistogram('app_latency_seconds', { unit: 's' })
    .record(0.43, { route: '/chat' });
  const chat = group.histogram(CATALOG.requestDurationSeconds, {
    method: 'POST',
    route: '/chat',
    status: '200',
  });
  chat.record(0.2);
  chat.recordExemplar(0.43, FAST_TRACE, FAST_SPAN, recordedAtMs);
  chat.recordExemplar(7.5, SLOW_TRACE, SLOW_SPAN, recordedAtMs + 1);
});
afterAll(async () => {
  group.dispose();
  await provider.shutdown();
});

describe.runIf(pythonPrometheusClient())("Python prometheus_client's OpenMetrics parser", () => {
  it("reads each bucket's exemplar: trace_id, span_id, value and the recorded time", async () => {
    const families = parseWithPrometheusClient(await reader.render('openmetrics'), 'openmetrics');
    const duration = families.find((family) => family.name === 'request_duration_seconds');
    const withExemplars = duration?.samples
      .filter((sample) => sample.labels.route === '/chat' && sample.exemplar !== undefined)
      .map(({ name, labels, exemplar }) => ({ name, le: labels.le, ...exemplar }));
    expect(withExemplars).toEqual([
      {
        name: 'request_duration_seconds_bucket',
        le: '0.5',
        labels: { trace_id: FAST_TRACE, span_id: FAST_SPAN },
        value: 0.43,
        timestamp: expect.closeTo(recordedAtMs / 1000, 3),
      },
      {
        name: 'request_duration_seconds_bucket',
        le: '10.0',
        labels: { trace_id: SLOW_TRACE, span_id: SLOW_SPAN },
        value: 7.5,
        timestamp: expect.closeTo((recordedAtMs + 1) / 1000, 3),
      },
    ]);
    const app = families.find((family) => family.name === 'app_latency_seconds');
    expect(app?.samples.length).toBeGreaterThan(0);
    expect(app?.samples.filter((sample) => sample.exemplar !== undefined)).toEqual([]);
  });

  it('accepts an exposition whose over-long exemplar was left out (it rejects one that keeps it)', () => {
    const snapshot: MetricSnapshot = {
      definition: { ...CATALOG.requestDurationSeconds, boundaries: [1] },
      series: [
        {
          attributes: {},
          labels: '',
          value: 1,
          startTimeMs: 0,
          histogram: {
            boundaries: [1],
            counts: [1, 0],
            sum: 0.5,
            count: 1,
            min: 0.5,
            max: 0.5,
            exemplars: [{ value: 0.5, timeMs: recordedAtMs, traceId: 'x'.repeat(114), spanId: 'y' }],
          },
        },
      ],
    };
    const { text } = writeExposition(
      { resource: { attributes: {} }, scopeMetrics: [] } as never,
      { format: 'openmetrics', scopeLabels: false, targetInfo: false, resourceConstantLabels: undefined },
      [snapshot],
    );
    const samples = parseWithPrometheusClient(text, 'openmetrics')[0]?.samples;
    expect(samples?.map((sample) => [sample.name, sample.labels.le, sample.exemplar])).toEqual([
      ['request_duration_seconds_bucket', '1.0', undefined],
      ['request_duration_seconds_bucket', '+Inf', undefined],
      ['request_duration_seconds_sum', undefined, undefined],
      ['request_duration_seconds_count', undefined, undefined],
    ]);
    const kept = text.replace(
      'le="1.0"} 1\n',
      `le="1.0"} 1 # {trace_id="${'x'.repeat(114)}",span_id="y"} 0.5\n`,
    );
    expect(() => parseWithPrometheusClient(kept, 'openmetrics')).toThrow(/Exemplar labels are too long/);
  });

  it('reads the text exposition, which carries no exemplars, with the classic parser', async () => {
    const text = await reader.render('text');
    expect(text).not.toContain(FAST_TRACE);
    const duration = parseWithPrometheusClient(text, 'text').find(
      (family) => family.name === 'request_duration_seconds',
    );
    expect(duration?.samples.filter((sample) => sample.labels.route === '/chat')).toHaveLength(18);
  });
});

const binary = prometheusBinary();

describe.skipIf(binary === undefined)('a real Prometheus with exemplar storage', () => {
  let server: MetricsServer;
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    server = await startMetricsServer({ port: 0, reader, dashboard: false, health: false });
    prometheus = await startPrometheus(binary!, [`127.0.0.1:${server.port}`], '/metrics', {
      enableFeatures: ['exemplar-storage'],
    });
    // Several scrapes of the same exemplars (same recorded time), before any test reads what was scraped.
    await waitFor('three scrapes', async () => {
      const [scrapes] = await prometheus.query('count_over_time(up[1m])');
      return Number(scrapes?.value[1]) >= 3 ? true : undefined;
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('keeps the trace ids of the buckets they were recorded in, each once over several scrapes', async () => {
    // Prometheus stored each exemplar once over the scrapes.
    const series = await prometheus.queryExemplars(
      'request_duration_seconds_bucket{route="/chat"}',
      recordedAtMs / 1000 - 60,
      Date.now() / 1000 + 60,
    );
    const byBucket = Object.fromEntries(
      series.map((entry) => [
        entry.seriesLabels.le,
        entry.exemplars.map(({ labels, value, timestamp }) => ({ ...labels, value, timestamp })),
      ]),
    );
    expect(byBucket).toEqual({
      '0.5': [{ trace_id: FAST_TRACE, span_id: FAST_SPAN, value: '0.43', timestamp: recordedAtMs / 1000 }],
      '10.0': [
        { trace_id: SLOW_TRACE, span_id: SLOW_SPAN, value: '7.5', timestamp: (recordedAtMs + 1) / 1000 },
      ],
    });
    expect(series[0]?.seriesLabels).toMatchObject({
      __name__: 'request_duration_seconds_bucket',
      method: 'POST',
      status: '200',
      otel_scope_name: '@sightglass/core',
    });
  });

  it('scrapes the whole exposition, the SDK histogram without exemplars included', async () => {
    const [target] = await prometheus.targets();
    expect(target).toMatchObject({ health: 'up', lastError: '' });
    const app = await prometheus.query('app_latency_seconds_count');
    expect(app.map((sample) => sample.value[1])).toEqual(['1']);
    const none = await prometheus.queryExemplars('app_latency_seconds_bucket', 0, Date.now() / 1000 + 60);
    expect(none).toEqual([]);
    const sums = await prometheus.queryExemplars(
      '{__name__=~"request_duration_seconds_(sum|count)"}',
      0,
      Date.now() / 1000 + 60,
    );
    expect(sums).toEqual([]);
  });
});
