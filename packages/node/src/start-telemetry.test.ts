import { createServer } from 'node:net';
import { metrics } from '@opentelemetry/api';
import {
  CATALOG,
  createHistogramRecorder,
  createMetricGroup,
  ErrorCode,
  metricRegistry,
} from '@sightglass/core';
import { metricsResponse } from '@sightglass/prometheus';
import { defaultPrometheusReader } from '@sightglass/prometheus/internal';
import { createTestMeter, freePort } from '@sightglass/test-kit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetricProducer } from './producer.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

const started: Telemetry[] = [];
async function start(options: Parameters<typeof startTelemetry>[0] = {}): Promise<Telemetry> {
  const telemetry = await startTelemetry({
    env: {},
    runtimeMetrics: false,
    prometheus: { port: 0 },
    ...options,
  });
  started.push(telemetry);
  return telemetry;
}
afterEach(async () => {
  for (const telemetry of started.splice(0)) await telemetry.shutdown();
});

/** Nothing of a failed start is left: no global provider, no default reader, a later start is allowed. */
function expectNothingStarted(): void {
  expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  expect(defaultPrometheusReader()).toBeUndefined();
}

async function scrape(telemetry: Telemetry): Promise<string> {
  const response = await fetch(telemetry.metricsServer!.url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

describe('startTelemetry with Prometheus', () => {
  it('serves Sightglass counters, gauges and histograms at the metrics server', async () => {
    const telemetry = await start({ serviceName: 'checkout' });
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'answers' }).add(7);
    group.gauge(CATALOG.connectionPoolUtilizationPercent, { pool_name: 'ollama' }, () => 62.5);
    createHistogramRecorder(CATALOG.requestDurationSeconds).record(1.5, {
      method: 'GET',
      route: '/a',
      status: '200',
    });
    const text = await scrape(telemetry);
    expect(text).toContain('target_info{service_name="checkout"');
    expect(text).toMatch(
      /^cache_hits_total\{cache_name="answers",otel_scope_name="@sightglass\/core".*\} 7$/m,
    );
    expect(text).toMatch(/^connection_pool_utilization_percent\{pool_name="ollama",.*\} 62.5$/m);
    expect(text).toMatch(/^request_duration_seconds_bucket\{.*le="60"\} 1$/m);
    expect(text).toMatch(/^request_duration_seconds_bucket\{.*le="1"\} 0$/m);
    group.dispose();
    expect(await scrape(telemetry)).not.toContain('cache_hits_total');
  });

  it('serves /health, /livez and /readyz beside /metrics, and reports health_status', async () => {
    const telemetry = await start();
    const base = telemetry.metricsServer!.url.replace('/metrics', '');
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'healthy', cache: {} });
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect(await scrape(telemetry)).toMatch(/^health_status\{component="overall",.*\} 1$/m);
  });

  it('serves the live dashboard at /dashboard unless dashboard: false', async () => {
    const telemetry = await start({ prometheus: { port: 0, dashboard: { intervalMs: 200 } } });
    expect(telemetry.metricsServer?.dashboardUrl).toBe(
      telemetry.metricsServer!.url.replace('/metrics', '/dashboard'),
    );
    const data = await (await fetch(`${telemetry.metricsServer!.dashboardUrl}/data`)).json();
    expect(data).toMatchObject({ intervalMs: 200 });
    await telemetry.shutdown();
    const without = await start({ prometheus: { port: 0, dashboard: false } });
    expect(without.metricsServer?.dashboardUrl).toBeUndefined();
  });

  it('reports Node.js runtime metrics when asked', async () => {
    const telemetry = await start({ runtimeMetrics: { precisionMs: 5 } });
    await vi.waitFor(async () => expect(await scrape(telemetry)).toContain('nodejs_eventloop_utilization'), {
      timeout: 5_000,
      interval: 10,
    });
  });

  it('registers the provider globally and makes its reader the handlers default, until shutdown', async () => {
    const telemetry = await start({ prometheus: { server: false } });
    expect(telemetry.metricsServer).toBeUndefined();
    expect(metrics.getMeterProvider()).toBe(telemetry.meterProvider);
    expect(defaultPrometheusReader()).toBe(telemetry.prometheusReader);
    expect((await metricsResponse({ method: 'GET' })).status).toBe(200);
    await telemetry.shutdown();
    expect(metrics.getMeterProvider()).not.toBe(telemetry.meterProvider);
    expect(defaultPrometheusReader()).toBeUndefined();
  });

  it('fails with PORT_IN_USE when the port is taken, leaving nothing started', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    await expect(startTelemetry({ env: {}, prometheus: { port } })).rejects.toMatchObject({
      code: ErrorCode.PORT_IN_USE,
      message: expect.stringContaining(`127.0.0.1:${port} is already in use`),
    });
    blocker.close();
    expect(defaultPrometheusReader()).toBeUndefined();
    const telemetry = await start(); // nothing half-started blocks a retry
    expect(telemetry.metricsServer?.port).toBeGreaterThan(0);
  });

  it('rejects bad configuration before starting anything', async () => {
    await expect(startTelemetry({ env: { OTEL_METRICS_EXPORTER: 'zipkin' } })).rejects.toMatchObject({
      code: ErrorCode.UNKNOWN_EXPORTER,
    });
    await expect(
      startTelemetry({ env: {}, prometheus: { host: 'no-such-host.invalid', port: 0 } }),
    ).rejects.toMatchObject({
      code: ErrorCode.LISTEN_FAILED,
    });
    expectNothingStarted();
  });

  it('rejects a view the SDK refuses with INVALID_CONFIG, leaving no port open', async () => {
    const port = await freePort();
    await expect(
      startTelemetry({ env: {}, runtimeMetrics: false, prometheus: { port }, views: [{ name: 'renamed' }] }),
    ).rejects.toMatchObject({
      code: ErrorCode.INVALID_CONFIG,
      message: expect.stringContaining('options.views'),
    });
    expectNothingStarted();
    const telemetry = await start({ prometheus: { port } }); // the port was never taken
    expect(telemetry.metricsServer?.port).toBe(port);
  });

  it('leaves an application’s own global MeterProvider registered after shutdown', async () => {
    const own = createTestMeter({ global: true });
    const telemetry = await start();
    expect(metrics.getMeterProvider()).toBe(own.provider);
    await telemetry.shutdown();
    expect(metrics.getMeterProvider()).toBe(own.provider);
    await own.shutdown();
  });

  it('reports Sightglass metrics once even when the application passes the producer too', async () => {
    const telemetry = await start({ prometheus: { port: 0, metricProducers: [createMetricProducer()] } });
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'once' }).inc();
    const samples = (await scrape(telemetry))
      .split('\n')
      .filter((line) => line.startsWith('cache_hits_total{'));
    expect(samples).toHaveLength(1);
    group.dispose();
  });

  it('refuses a second start while the first runs, and allows one after shutdown', async () => {
    const first = await start();
    await expect(startTelemetry({ env: {}, prometheus: { port: 0 } })).rejects.toMatchObject({
      code: ErrorCode.ALREADY_STARTED,
    });
    await first.shutdown();
    await first.shutdown(); // idempotent
    await start();
  });

  it('closes the metrics server on shutdown', async () => {
    const telemetry = await start();
    const url = telemetry.metricsServer!.url;
    await telemetry.shutdown();
    await expect(fetch(url)).rejects.toThrow();
  });

  it('applies label limits to Sightglass metrics until shutdown', async () => {
    const telemetry = await start({ labelLimits: { maxLength: 8 } });
    const group = createMetricGroup();
    group.counter(CATALOG.cacheMisses, { cache_name: 'a-very-long-cache-name' }).inc();
    expect(await scrape(telemetry)).toContain('cache_name="a-very-l"');
    group.dispose();
    await telemetry.shutdown();
    expect(metricRegistry().guardLabels(CATALOG.cacheMisses, { cache_name: 'another-long-name' })).toEqual({
      cache_name: 'another-long-name',
    });
  });

  it('runs with no exporter at all (OTEL_METRICS_EXPORTER=none)', async () => {
    const telemetry = await startTelemetry({ env: { OTEL_METRICS_EXPORTER: 'none' }, runtimeMetrics: false });
    started.push(telemetry);
    expect(telemetry.prometheusReader).toBeUndefined();
    await expect(telemetry.forceFlush()).resolves.toBeUndefined();
  });
});
