/**
 * Canary of exporter-prometheus-internals.ts: the names the reader's exposition and the catalog give metrics
 * are the names `@opentelemetry/exporter-prometheus` (this package's devDependency) gives them. A failure
 * means the exporter changed its naming rule: a metric would be scraped under another name depending on
 * who serves it, and every dashboard and alert written against the catalog would go blank. Read
 * exporter-prometheus-internals.ts and docs/upstream-internals.md before changing a name.
 */
import { createRequire } from 'node:module';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  type CollectionResult,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { catalogEntries, type MetricDefinition, prometheusName } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { counterFamilyName, isWritableMetricName } from './exporter-prometheus-internals.js';
import { writeExposition } from './exposition.js';

const require = createRequire(import.meta.url);
const EXPORTER = `@opentelemetry/exporter-prometheus ${
  (require('@opentelemetry/exporter-prometheus/package.json') as { version: string }).version
}`;
const MOVED = `${EXPORTER} names metrics differently from exporter-prometheus-internals.ts`;

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

type Instrument = readonly [
  name: string,
  kind: 'counter' | 'upDownCounter' | 'gauge' | 'histogram',
  unit?: string,
];

/** One value recorded on each instrument, collected by the OpenTelemetry SDK. */
async function collect(instruments: readonly Instrument[]): Promise<CollectionResult['resourceMetrics']> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('canary');
  for (const [name, kind, unit] of instruments) {
    const options = unit === undefined ? {} : { unit };
    if (kind === 'counter') meter.createCounter(name, options).add(1);
    else if (kind === 'upDownCounter') meter.createUpDownCounter(name, options).add(1);
    else if (kind === 'gauge') meter.createGauge(name, options).record(1);
    else meter.createHistogram(name, options).record(1);
  }
  const { resourceMetrics } = await reader.collect();
  await provider.shutdown();
  return resourceMetrics;
}

/** The `# TYPE` lines of an exposition, `target_info` left out. */
function typeLines(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('# TYPE ') && !line.startsWith('# TYPE target_info '))
    .sort();
}

describe(`the naming rule of ${EXPORTER} (canary)`, () => {
  it('gives every kind of metric the name and type the exposition gives it', async () => {
    const resourceMetrics = await collect([
      ['plain.counter', 'counter'],
      ['already_total', 'counter'],
      ['dash-name.with.dots', 'counter', '{request}'],
      ['double__under_score', 'upDownCounter'],
      ['a.gauge', 'gauge', 'By'],
      ['latency.seconds', 'histogram', 's'],
      ['latency', 'histogram', 's'],
    ]);
    const theirs = typeLines(
      new PrometheusSerializer(undefined, false, undefined, true, true).serialize(resourceMetrics),
    );
    const ours = typeLines(
      writeExposition(resourceMetrics, {
        format: 'text',
        scopeLabels: false,
        targetInfo: false,
        resourceConstantLabels: undefined,
      }).text,
    );
    expect(ours, MOVED).toEqual(theirs);
    expect(theirs, MOVED).toEqual([
      '# TYPE a_gauge gauge',
      '# TYPE already_total counter',
      '# TYPE dash_name_with_dots_total counter',
      '# TYPE double_under_score gauge',
      '# TYPE latency histogram',
      '# TYPE latency_seconds histogram',
      '# TYPE plain_counter_total counter',
    ]);
  });

  it('scrapes every catalog entry under the name the catalog gives it', async () => {
    const entries: readonly MetricDefinition[] = catalogEntries();
    const resourceMetrics = await collect(
      entries.map((entry) => [entry.name, entry.kind, entry.unit] as const),
    );
    const theirs = typeLines(
      new PrometheusSerializer(undefined, false, undefined, true, true).serialize(resourceMetrics),
    );
    expect(theirs, MOVED).toEqual(
      entries.map((entry) => `# TYPE ${prometheusName(entry)} ${entry.kind}`).sort(),
    );
  });

  it('writes no metric whose name sanitizes to nothing, and names counters with _total once', () => {
    expect([isWritableMetricName(''), isWritableMetricName('_'), isWritableMetricName('a')]).toEqual([
      false,
      false,
      true,
    ]);
    expect(counterFamilyName('requests', 'text')).toEqual({ name: 'requests_total', sampleSuffix: '' });
    expect(counterFamilyName('requests_total', 'text')).toEqual({ name: 'requests_total', sampleSuffix: '' });
    expect(counterFamilyName('requests_total', 'openmetrics')).toEqual({
      name: 'requests',
      sampleSuffix: '_total',
    });
  });
});
