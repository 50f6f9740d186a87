/**
 * Conformance: an application touching every spec metric is scraped through the real pipeline
 * (startTelemetry → PrometheusReader → HTTP), and what Prometheus would see must match the catalog to the
 * letter, and pass `promtool check metrics` with no findings.
 */
import {
  CATALOG,
  createHistogramRecorder,
  createMetricGroup,
  type MetricDefinition,
  prometheusName,
} from '@sightglass/core';
import { prometheusType } from '@sightglass/core/internal';
import { parseExposition, promtoolBinary, promtoolCheckMetrics, SPEC_METRICS } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTelemetry, type Telemetry } from './start-telemetry.js';

const SCOPE_LABELS = ['otel_scope_name', 'otel_scope_version'];

let telemetry: Telemetry;
let exposition: string;

beforeAll(async () => {
  telemetry = await startTelemetry({ env: {}, serviceName: 'conformance', prometheus: { port: 0 } });
  // A tiny application that touches every spec metric the way the instrumentation packages do.
  const group = createMetricGroup();
  group.gauge(CATALOG.circuitBreakerState, { breaker_name: 'ollama' }, () => 1);
  group.counter(CATALOG.circuitBreakerFailures, { breaker_name: 'ollama' }).add(5);
  group.gauge(CATALOG.connectionPoolActiveConnections, { pool_name: 'ollama' }, () => 3);
  group.gauge(CATALOG.connectionPoolUtilizationPercent, { pool_name: 'ollama' }, () => 18.75);
  group.counter(CATALOG.cacheHits, { cache_name: 'responses' }).add(30);
  group.counter(CATALOG.cacheMisses, { cache_name: 'responses' }).add(10);
  group.gauge(CATALOG.cacheHitRatePercent, { cache_name: 'responses' }, () => 75);
  createHistogramRecorder(CATALOG.requestDurationSeconds).record(2.5, {
    method: 'POST',
    route: '/v1/chat',
    status: '200',
  });
  group.counter(CATALOG.requests, { method: 'POST', route: '/v1/chat', status: '200' }).inc();
  // Runtime metrics (on by default) report once they took a sample: the exposition checked holds them too.
  await vi.waitFor(
    async () => {
      exposition = await (await fetch(telemetry.metricsServer!.url)).text();
      expect(exposition).toContain('nodejs_eventloop_utilization');
    },
    { timeout: 5_000, interval: 10 },
  );
});
afterAll(() => telemetry.shutdown());

describe('conformance of the Prometheus exposition', () => {
  it.each(SPEC_METRICS)('%s is a %s with labels %j', (name, type, labels) => {
    const family = parseExposition(exposition).get(name);
    expect(family, `${name} missing from the exposition`).toBeDefined();
    expect(family?.type).toBe(type);
    expect(family?.typeLines).toBe(1);
    expect(family?.samples.length).toBeGreaterThan(0);
    for (const sample of family?.samples ?? []) {
      const expected = [
        ...labels,
        ...SCOPE_LABELS,
        ...(sample.name.endsWith('_bucket') ? ['le'] : []),
      ].sort();
      expect(Object.keys(sample.labels).sort()).toEqual(expected);
      expect(sample.labels.otel_scope_name).toBe('@sightglass/core');
    }
  });

  it('shows every catalog entry it reports under the name, type and HELP the catalog gives', () => {
    const families = parseExposition(exposition);
    const entries: MetricDefinition[] = Object.values(CATALOG);
    let reported = 0;
    for (const entry of entries) {
      const family = families.get(prometheusName(entry));
      if (family === undefined) continue; // not touched by this application
      reported++;
      expect(family.type, entry.name).toBe(prometheusType(entry));
      expect(family.help, entry.name).toBe(entry.description);
    }
    expect(reported).toBeGreaterThanOrEqual(SPEC_METRICS.length);
  });

  it('carries the values the application recorded', () => {
    const families = parseExposition(exposition);
    expect(families.get('circuit_breaker_failures_total')?.samples[0]?.value).toBe(5);
    expect(families.get('connection_pool_utilization_percent')?.samples[0]?.value).toBe(18.75);
    const buckets =
      families.get('request_duration_seconds')?.samples.filter((s) => s.name.endsWith('_bucket')) ?? [];
    expect(buckets.map((s) => s.labels.le)).toEqual([
      ...CATALOG.requestDurationSeconds.boundaries!.map(String),
      '+Inf',
    ]);
  });

  it('never declares one metric twice', () => {
    for (const [name, family] of parseExposition(exposition))
      expect(family.typeLines, name).toBeLessThanOrEqual(1);
  });

  const promtool = promtoolBinary();
  it.skipIf(promtool === undefined)('passes promtool check metrics with no findings', () => {
    expect(promtoolCheckMetrics(promtool!, exposition)).toEqual([]);
  });
});
