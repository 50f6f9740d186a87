import { MeterProvider } from '@opentelemetry/sdk-metrics';
import {
  parseWithPrometheusClient,
  promtoolBinary,
  promtoolCheckMetrics,
  pythonPrometheusClient,
} from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusReader, type PrometheusReader } from './reader.js';

/**
 * The exposition as parsers nobody here wrote read it: Python's prometheus_client (classic and OpenMetrics
 * parsers) and promtool. The metrics are the awkward ones: a name used by two scopes, a unit the family name
 * ends in and units it does not, label values that need escaping, bucket bounds past a million.
 */
let reader: PrometheusReader;
let provider: MeterProvider;
beforeAll(() => {
  reader = createPrometheusReader();
  provider = new MeterProvider({ readers: [reader] });
  const app = provider.getMeter('app', '1.2.3');
  app.createCounter('orders', { description: 'Orders "placed"\nby route' }).add(3, { route: '/a\\b "c"\nd' });
  provider.getMeter('other').createCounter('orders').add(2, { route: '/x' });
  app
    .createHistogram('request_duration_seconds', {
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.1, 1, 60] },
    })
    .record(0.2, { method: 'GET' });
  app
    .createHistogram('gen_ai.client.token.usage', { unit: '{token}' })
    .record(2_000_000, { 'gen_ai.token.type': 'output' });
  app.createGauge('nodejs.eventloop.utilization', { unit: '1' }).record(0.25);
  app
    .createGauge('v8js.memory.heap.used', { unit: 'By' })
    .record(1024, { 'v8js.heap.space.name': 'new_space' });
  app.createUpDownCounter('queue_depth', { unit: '{request}' }).add(-2);
});
afterAll(() => provider.shutdown());

describe.runIf(pythonPrometheusClient())("Python prometheus_client's parsers", () => {
  it('reads the OpenMetrics exposition: families, types, units and values', async () => {
    const families = parseWithPrometheusClient(await reader.render('openmetrics'), 'openmetrics');
    const byName = new Map(families.map((family) => [family.name, family]));
    expect(byName.get('orders')?.type).toBe('counter');
    expect(
      byName
        .get('orders')
        ?.samples.map((sample) => [sample.name, sample.labels.otel_scope_name, sample.value]),
    ).toEqual([
      ['orders_total', 'app', 3],
      ['orders_total', 'other', 2],
    ]);
    expect(byName.get('orders')?.samples[0]?.labels.route).toBe('/a\\b "c"\nd');
    expect(byName.get('request_duration_seconds')).toMatchObject({ type: 'histogram', unit: 'seconds' });
    expect(byName.get('gen_ai_client_token_usage')?.type).toBe('histogram');
    expect(byName.get('nodejs_eventloop_utilization')).toMatchObject({ type: 'gauge', unit: '' });
    expect(byName.get('v8js_memory_heap_used')).toMatchObject({ type: 'gauge', unit: '' });
    expect(byName.get('queue_depth')?.samples[0]?.value).toBe(-2);
    expect(byName.get('target')?.type).toBe('info');
  });

  it('reads the text exposition with the classic parser', async () => {
    const families = parseWithPrometheusClient(await reader.render('text'), 'text');
    const byName = new Map(families.map((family) => [family.name, family]));
    expect(byName.get('orders')?.samples.map((sample) => sample.value)).toEqual([3, 2]);
    expect(byName.get('request_duration_seconds')?.samples).toHaveLength(7); // 5 buckets, sum, count
    expect(byName.get('target_info')?.type).toBe('gauge');
  });

  it("rejects neither format with the other parser's strictness: the text format has no # UNIT lines", async () => {
    expect(await reader.render('text')).not.toContain('# UNIT');
  });
});

describe('promtool check metrics', () => {
  const promtool = promtoolBinary();
  it.runIf(promtool !== undefined)('finds nothing to complain about in the text exposition', async () => {
    expect(promtoolCheckMetrics(promtool as string, await reader.render('text'))).toEqual([]);
  });
});
