import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { CATALOG, createMetricGroup } from '@sightglass/core';
import { METER_NAME, REGISTRY_PRODUCER_MARK } from '@sightglass/core/internal';
import { parseExposition } from '@sightglass/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPrometheusReader,
  defaultPrometheusReader,
  type PrometheusReader,
  setDefaultPrometheusReader,
} from './reader.js';

const providers: MeterProvider[] = [];
function providerWith(reader: PrometheusReader): MeterProvider {
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return provider;
}
afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown();
  setDefaultPrometheusReader(undefined);
});

describe('PrometheusReader', () => {
  it('emits a metric asked for by two meters under one TYPE line', async () => {
    const reader = createPrometheusReader();
    const provider = providerWith(reader);
    provider.getMeter('library-a').createCounter('requests').add(1);
    provider.getMeter('library-b').createCounter('requests').add(2);
    const family = parseExposition(await reader.render()).get('requests_total');
    expect(family?.typeLines).toBe(1);
    expect(family?.samples.map((sample) => [sample.labels.otel_scope_name, sample.value])).toEqual([
      ['library-a', 1],
      ['library-b', 2],
    ]);
  });

  it('drops a family whose type conflicts, keeping the scrape valid', async () => {
    const reader = createPrometheusReader();
    const provider = providerWith(reader);
    provider.getMeter('a').createUpDownCounter('depth').add(1);
    provider.getMeter('b').createHistogram('depth').record(1);
    const families = parseExposition(await reader.render());
    expect(families.get('depth')?.type).toBe('gauge');
    expect(families.get('depth')?.typeLines).toBe(1);
  });

  it('can leave out scope labels and target_info', async () => {
    const reader = createPrometheusReader({ scopeLabels: false, targetInfo: false });
    providerWith(reader).getMeter('m').createCounter('jobs').add(1);
    const text = await reader.render();
    expect(text).not.toContain('otel_scope_name');
    expect(text).not.toContain('target_info');
    expect(text).toContain('jobs_total 1');
  });

  it('copies matching resource attributes onto series when asked', async () => {
    const reader = createPrometheusReader({ resourceConstantLabels: /service/ });
    providerWith(reader).getMeter('m').createCounter('jobs').add(1);
    expect(await reader.render()).toMatch(/jobs_total\{.*service_name="[^"]+".*\} 1/);
  });

  it('serves the output of extra metric producers', async () => {
    const reader = createPrometheusReader({
      metricProducers: [
        {
          collect: async () => ({
            resourceMetrics: { resource: undefined as never, scopeMetrics: [] },
            errors: [new Error('partial')],
          }),
        },
      ],
    });
    providerWith(reader).getMeter('m').createCounter('jobs').add(1);
    expect(await reader.render()).toContain('jobs_total');
  });

  it('is the handlers default once set', () => {
    const reader = createPrometheusReader();
    setDefaultPrometheusReader(reader);
    expect(defaultPrometheusReader()).toBe(reader);
  });
});

describe("PrometheusReader and Sightglass's own series", () => {
  it('renders the registry itself, under the @sightglass/core scope, with label strings made once', async () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'reader "test"' }).add(4);
    group
      .histogram(CATALOG.requestDurationSeconds, { method: 'GET', route: '/r', status: '200' })
      .record(0.2);
    try {
      const reader = createPrometheusReader();
      providerWith(reader);
      const families = parseExposition(await reader.render());
      const hits = families
        .get('cache_hits_total')
        ?.samples.find((sample) => sample.labels.cache_name === 'reader "test"');
      expect(hits?.value).toBe(4);
      expect(hits?.labels.otel_scope_name).toBe(METER_NAME);
      const buckets = families
        .get('request_duration_seconds')
        ?.samples.filter((sample) => sample.name.endsWith('_bucket'));
      expect(
        buckets?.find((sample) => sample.labels.route === '/r' && sample.labels.le === '0.25')?.value,
      ).toBe(1);
    } finally {
      group.dispose();
    }
  });

  it('leaves out a producer that reads the registry, so no series is reported twice', async () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheMisses, { cache_name: 'once' }).inc();
    const registryProducer = {
      [REGISTRY_PRODUCER_MARK]: true,
      collect: async () => {
        throw new Error('a producer of the registry is never asked');
      },
    };
    try {
      const reader = createPrometheusReader({ metricProducers: [registryProducer] });
      providerWith(reader);
      const misses = parseExposition(await reader.render()).get('cache_misses_total');
      expect(misses?.samples.filter((sample) => sample.labels.cache_name === 'once')).toHaveLength(1);
    } finally {
      group.dispose();
    }
  });

  it('leaves out an SDK series that repeats one of the registry (scope labels off), keeping the registry one', async () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'twice' }).add(5);
    try {
      const reader = createPrometheusReader({ scopeLabels: false, targetInfo: false });
      providerWith(reader)
        .getMeter('app')
        .createCounter(CATALOG.cacheHits.name)
        .add(1, { cache_name: 'twice' });
      const samples = parseExposition(await reader.render()).get('cache_hits_total')?.samples;
      expect(
        samples?.filter((sample) => sample.labels.cache_name === 'twice').map((sample) => sample.value),
      ).toEqual([5]);
    } finally {
      group.dispose();
    }
  });
});
