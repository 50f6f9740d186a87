import { type Attributes, DiagLogLevel, diag } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import { CATALOG, type MetricDefinition } from './catalog.js';
import { ErrorCode } from './errors.js';
import { resetReportedErrors } from './guard.js';
import { HistogramCell } from './histogram-cell.js';
import { createHistogramRecorder, createMetricGroup } from './metric-group.js';
import { MetricRegistry, metricRegistry } from './metric-registry.js';

/** Each test's own registry: what one test counts is never seen by another, whatever their order. */
let registry: MetricRegistry;
beforeEach(() => {
  registry = new MetricRegistry();
});

/** The series of one entry in a registry's snapshot (the test's own by default), as [attributes, value] pairs. */
function seriesOf(definition: MetricDefinition, from = registry): Array<[Attributes, number]> {
  const entry = from.snapshot().find((snapshot) => snapshot.definition.name === definition.name);
  return (entry?.series ?? []).map((series) => [series.attributes, series.value]);
}

describe('counters in the metric registry', () => {
  it('keeps plain-number counts and reports their total at collection', () => {
    const group = createMetricGroup({ registry });
    const hits = group.counter(CATALOG.cacheHits, { cache_name: 'answers' });
    hits.inc();
    hits.add(2);
    expect(seriesOf(CATALOG.cacheHits)).toEqual([[{ cache_name: 'answers' }, 3]]);
    hits.inc();
    expect(seriesOf(CATALOG.cacheHits)).toEqual([[{ cache_name: 'answers' }, 4]]);
    group.dispose();
  });

  it('records when each series started, for cumulative start times', () => {
    const before = Date.now();
    const group = createMetricGroup({ registry });
    group.counter(CATALOG.cacheMisses, { cache_name: 'timed' }).inc();
    const [snapshot] = registry.snapshot().filter((entry) => entry.definition === CATALOG.cacheMisses);
    expect(snapshot?.series[0]?.startTimeMs).toBeGreaterThanOrEqual(before);
    expect(snapshot?.series[0]?.startTimeMs).toBeLessThanOrEqual(Date.now());
    group.dispose();
  });

  it('adds up two cells with the same labels into one series', () => {
    const a = createMetricGroup({ registry });
    const b = createMetricGroup({ registry });
    a.counter(CATALOG.cacheMisses, { cache_name: 'shared' }).add(2);
    b.counter(CATALOG.cacheMisses, { cache_name: 'shared' }).add(5);
    expect(seriesOf(CATALOG.cacheMisses)).toEqual([[{ cache_name: 'shared' }, 7]]);
    a.dispose(); // a's 2 stay counted: a counter series never goes down while it exists
    expect(seriesOf(CATALOG.cacheMisses)).toEqual([[{ cache_name: 'shared' }, 7]]);
    b.dispose();
    expect(seriesOf(CATALOG.cacheMisses)).toEqual([]);
  });

  it('never lets a shared series go down when one of its cells is disposed', () => {
    const a = createMetricGroup({ registry });
    const b = createMetricGroup({ registry });
    a.counter(CATALOG.cacheMisses, { cache_name: 'retiring' }).add(10);
    b.counter(CATALOG.cacheMisses, { cache_name: 'retiring' }).add(5);
    a.dispose();
    expect(seriesOf(CATALOG.cacheMisses)).toEqual([[{ cache_name: 'retiring' }, 15]]);
    b.dispose();
  });

  it('ignores additions that would make a counter go down or vanish', () => {
    const group = createMetricGroup({ registry });
    const cell = group.counter(CATALOG.cacheHits, { cache_name: 'guarded' });
    cell.add(2);
    cell.add(-5);
    cell.add(Number.NaN);
    cell.add(0);
    expect(cell.value).toBe(2);
    group.dispose();
  });

  it('stops reporting a group once disposed, and a second dispose is harmless', () => {
    const group = createMetricGroup({ registry });
    group.counter(CATALOG.circuitBreakerFailures, { breaker_name: 'b' }).inc();
    group.gauge(CATALOG.circuitBreakerState, { breaker_name: 'b' }, () => 1);
    group.dispose();
    group.dispose();
    expect(seriesOf(CATALOG.circuitBreakerFailures)).toEqual([]);
    expect(seriesOf(CATALOG.circuitBreakerState)).toEqual([]);
    expect(registry.seriesCount(CATALOG.circuitBreakerState)).toBe(0);
  });

  it('rejects a label set that does not match the catalog, naming what is wrong', () => {
    const group = createMetricGroup({ registry });
    expect(() => group.counter(CATALOG.cacheHits, { cache: 'x' } as never)).toThrow(
      expect.objectContaining({
        code: ErrorCode.INVALID_LABELS,
        message: 'cache_hits takes labels [cache_name]; missing [cache_name]; unknown [cache]',
      }),
    );
    expect(() => group.counter(CATALOG.circuitBreakerState as never, { breaker_name: 'x' })).toThrow(
      /circuit_breaker_state is a gauge, not a counter/,
    );
    expect(() => group.gauge(CATALOG.requests as never, {} as never, () => 1)).toThrow(/not a gauge/);
    expect(() => createHistogramRecorder(CATALOG.requests)).toThrow(/requests is a counter, not a histogram/);
  });

  it('collapses label values past the budget into "other"', () => {
    const registry = new MetricRegistry();
    registry.setLabelGuardOptions({ maxValues: 2 });
    for (const route of ['a', 'b', 'c', 'd']) {
      registry.addCounter(CATALOG.requests, { method: 'GET', route, status: '200' }).cell.inc();
    }
    expect(
      seriesOf(CATALOG.requests, registry).map(([attributes, value]) => [attributes.route, value]),
    ).toEqual([
      ['a', 1],
      ['b', 1],
      ['other', 2],
    ]);
    expect(() => registry.setLabelGuardOptions({ maxValues: -1 })).toThrow(/of at least 1/);
    // Tightening the bounds keeps admitted values and applies to what comes next.
    registry.setLabelGuardOptions({ maxValues: 1 });
    registry.addCounter(CATALOG.requests, { method: 'GET', route: 'a', status: '200' }).cell.inc();
    registry.addCounter(CATALOG.requests, { method: 'GET', route: 'e', status: '200' }).cell.inc();
    expect(registry.value(CATALOG.requests, { method: 'GET', route: 'a', status: '200' })).toBe(2);
    expect(registry.value(CATALOG.requests, { method: 'GET', route: 'other', status: '200' })).toBe(3);
  });

  it('frees the slot of a label value once no series reports under it', () => {
    const registry = new MetricRegistry();
    registry.setLabelGuardOptions({ maxValues: 2 });
    const first = registry.addCounter(CATALOG.cacheHits, { cache_name: 'tenant-1' });
    const second = registry.addGauge(CATALOG.cacheEntries, { cache_name: 'tenant-2' }, () => 1);
    registry.addCounter(CATALOG.cacheMisses, { cache_name: 'tenant-1' }); // tenant-1 in two metrics
    first.remove();
    // tenant-1 still has its misses series: a new cache cannot take its slot.
    expect(registry.guardLabels(CATALOG.cacheHits, { cache_name: 'tenant-3' })).toEqual({
      cache_name: 'other',
    });
    second();
    registry.addCounter(CATALOG.cacheHits, { cache_name: 'tenant-3' }).cell.inc();
    expect(seriesOf(CATALOG.cacheHits, registry)).toEqual([[{ cache_name: 'tenant-3' }, 1]]);
  });

  it('a lookup admits nothing: asking for values nobody reports leaves the budget to real ones', () => {
    const registry = new MetricRegistry();
    registry.setLabelGuardOptions({ maxValues: 2 });
    for (let i = 0; i < 10; i++) {
      expect(registry.value(CATALOG.cacheHits, { cache_name: `junk-${i}` })).toBeUndefined();
      registry.guardLabels(CATALOG.cacheHits, { cache_name: `junk-${i}` });
    }
    registry.addCounter(CATALOG.cacheHits, { cache_name: 'real' }).cell.inc();
    expect(seriesOf(CATALOG.cacheHits, registry)).toEqual([[{ cache_name: 'real' }, 1]]);
  });

  it('spends one budget per label name, so every metric with the label agrees on what became "other"', () => {
    const registry = new MetricRegistry();
    registry.setLabelGuardOptions({ maxValues: 2 });
    // The histogram sees route "c" first; the counter must not admit "c" where the histogram wrote "other".
    registry.addCounter(CATALOG.requests, { method: 'GET', route: 'a', status: '200' }).cell.inc();
    for (const route of ['b', 'c']) {
      registry
        .addHistogram(CATALOG.requestDurationSeconds, { method: 'GET', route, status: '200' })
        .cell.record(1);
    }
    registry.addCounter(CATALOG.requests, { method: 'GET', route: 'c', status: '200' }).cell.inc();
    const routes = (definition: MetricDefinition) =>
      registry
        .snapshot()
        .find((snapshot) => snapshot.definition === definition)
        ?.series.map((series) => series.attributes.route);
    expect(routes(CATALOG.requests)).toEqual(['a', 'other']);
    expect(routes(CATALOG.requestDurationSeconds)).toEqual(['b', 'other']);
  });
});

describe('the label string of a series', () => {
  it('is made once as the exposition formats write labels: names sanitized, values escaped, undefined left out', () => {
    const registry = new MetricRegistry();
    registry.addCounter(CATALOG.cacheHits, { cache_name: 'a "b"\\c\nd' }).cell.inc();
    registry
      .addHistogram(CATALOG.genAiClientOperationDuration, {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'ollama',
        'gen_ai.request.model': 'llama3.2',
        'gen_ai.response.model': undefined,
        'error.type': undefined,
        'server.address': '127.0.0.1',
        'server.port': 11434,
      } as never)
      .cell.record(1);
    const labels = Object.fromEntries(
      registry.snapshot().map((snapshot) => [snapshot.definition.name, snapshot.series[0]?.labels]),
    );
    expect(labels[CATALOG.cacheHits.name]).toBe('cache_name="a \\"b\\"\\\\c\\nd"');
    expect(labels[CATALOG.genAiClientOperationDuration.name]).toBe(
      'gen_ai_operation_name="chat",gen_ai_provider_name="ollama",gen_ai_request_model="llama3.2",' +
        'server_address="127.0.0.1",server_port="11434"',
    );
  });

  it('gives back the attributes it was made from, escaped values and left-out labels included', () => {
    const registry = new MetricRegistry();
    const awkward = 'a "b"\\c\nd,route="x"';
    registry.addCounter(CATALOG.cacheHits, { cache_name: awkward }).cell.inc();
    registry
      .addHistogram(CATALOG.httpServerRequestDuration, {
        'http.request.method': 'GET',
        'http.route': '/v1/"chat"',
        'http.response.status_code': 500,
        'error.type': undefined,
      } as never)
      .cell.record(1);
    registry
      .addHistogram(CATALOG.httpServerRequestDuration, {
        'http.request.method': 'POST',
        'http.route': undefined,
        'http.response.status_code': 200,
        'error.type': 'timeout',
      } as never)
      .cell.record(1);
    const attributes = (definition: MetricDefinition) =>
      registry
        .snapshot()
        .find((snapshot) => snapshot.definition === definition)
        ?.series.map((series) => series.attributes);
    expect(attributes(CATALOG.cacheHits)).toEqual([{ cache_name: awkward }]);
    expect(attributes(CATALOG.httpServerRequestDuration)).toEqual([
      { 'http.request.method': 'GET', 'http.route': '/v1/"chat"', 'http.response.status_code': '500' },
      { 'http.request.method': 'POST', 'http.response.status_code': '200', 'error.type': 'timeout' },
    ]);
    // A snapshot turned into JSON (the dashboard's API) carries them too.
    const [series] = registry
      .snapshot()
      .find((snapshot) => snapshot.definition === CATALOG.cacheHits)!.series;
    expect(JSON.parse(JSON.stringify(series))).toMatchObject({
      attributes: { cache_name: awkward },
      value: 1,
    });
  });
});

describe('gauges in the metric registry', () => {
  it('reads the value at collection and leaves the series out while it has none', () => {
    let rate: number | undefined;
    const group = createMetricGroup({ registry });
    group.gauge(CATALOG.cacheHitRatePercent, { cache_name: 'c' }, () => rate);
    expect(seriesOf(CATALOG.cacheHitRatePercent)).toEqual([]);
    rate = 75;
    expect(seriesOf(CATALOG.cacheHitRatePercent)).toEqual([[{ cache_name: 'c' }, 75]]);
    rate = Number.NaN;
    expect(seriesOf(CATALOG.cacheHitRatePercent)).toEqual([]);
    rate = undefined;
    expect(seriesOf(CATALOG.cacheHitRatePercent)).toEqual([]);
    group.dispose();
  });

  it('keeps collecting other series when a reader throws, and reports the failure once', () => {
    resetReportedErrors();
    const logged: unknown[] = [];
    diag.setLogger(
      { error: (...args: unknown[]) => logged.push(args), warn() {}, info() {}, debug() {}, verbose() {} },
      DiagLogLevel.ERROR,
    );
    const group = createMetricGroup({ registry });
    group.gauge(CATALOG.connectionPoolActiveConnections, { pool_name: 'bad' }, () => {
      throw new Error('stats gone');
    });
    group.gauge(CATALOG.connectionPoolActiveConnections, { pool_name: 'good' }, () => 4);
    expect(seriesOf(CATALOG.connectionPoolActiveConnections)).toEqual([[{ pool_name: 'good' }, 4]]);
    expect(seriesOf(CATALOG.connectionPoolActiveConnections)).toEqual([[{ pool_name: 'good' }, 4]]);
    expect(logged).toHaveLength(1);
    diag.disable();
    group.dispose();
  });
});

describe('histograms', () => {
  function histogramOf(route: string) {
    const entry = registry
      .snapshot()
      .find((snapshot) => snapshot.definition === CATALOG.requestDurationSeconds);
    return entry?.series.find((series) => series.attributes.route === route)?.histogram;
  }

  it('keeps plain-number buckets with the catalog boundaries, sum, count, min and max', () => {
    const durations = createHistogramRecorder(CATALOG.requestDurationSeconds, { registry });
    durations.record(0.2, { method: 'POST', route: '/v1/chat', status: '200' });
    durations.record(45, { method: 'POST', route: '/v1/chat', status: '200' });
    durations.record(500, { method: 'POST', route: '/v1/chat', status: '200' });
    const histogram = histogramOf('/v1/chat');
    expect(histogram?.boundaries).toEqual(CATALOG.requestDurationSeconds.boundaries);
    expect(histogram?.count).toBe(3);
    expect(histogram?.sum).toBeCloseTo(545.2);
    expect([histogram?.min, histogram?.max]).toEqual([0.2, 500]);
    const boundaries = CATALOG.requestDurationSeconds.boundaries!;
    expect(histogram?.counts[boundaries.indexOf(0.25)]).toBe(1); // 0.2 ≤ 0.25
    expect(histogram?.counts[boundaries.indexOf(60)]).toBe(1); // 30 < 45 ≤ 60
    expect(histogram?.counts[boundaries.length]).toBe(1); // +Inf
  });

  it('puts a value equal to a boundary in that boundary’s bucket, and ignores NaN', () => {
    const cell = new HistogramCell([1, 2]);
    cell.record(1);
    cell.record(2);
    cell.record(2.5);
    cell.record(Number.NaN);
    expect([...cell.counts]).toEqual([1, 1, 1]);
    expect(cell.count).toBe(3);
  });

  it('records through a bound series, and keeps a group’s histogram until it is disposed', () => {
    const bound = createHistogramRecorder(CATALOG.requestDurationSeconds, { registry }).bind({
      method: 'GET',
      route: '/b',
      status: '200',
    });
    bound.record(0.5);
    bound.record(1.5);
    expect(histogramOf('/b')?.count).toBe(2);
    const group = createMetricGroup({ registry });
    const owned = group.histogram(CATALOG.cacheLoadDurationSeconds, { cache_name: 'h' });
    owned.record(0.1);
    expect(registry.snapshot().some((entry) => entry.definition === CATALOG.cacheLoadDurationSeconds)).toBe(
      true,
    );
    group.dispose();
    expect(registry.snapshot().some((entry) => entry.definition === CATALOG.cacheLoadDurationSeconds)).toBe(
      false,
    );
  });

  it('keeps what a disposed cell recorded while the series lives on', () => {
    const registry = new MetricRegistry();
    const a = registry.addHistogram(CATALOG.cacheLoadDurationSeconds, { cache_name: 'shared' });
    const b = registry.addHistogram(CATALOG.cacheLoadDurationSeconds, { cache_name: 'shared' });
    a.cell.record(1);
    b.cell.record(2);
    a.remove();
    const [entry] = registry.snapshot();
    expect(entry?.series[0]?.histogram).toMatchObject({ count: 2, sum: 3 });
  });

  it('records with an optional label left undefined', () => {
    const durations = createHistogramRecorder(CATALOG.genAiClientOperationDuration, { registry });
    const labels = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': 'llama3.2',
      'gen_ai.response.model': undefined,
      'error.type': undefined,
      'server.address': '127.0.0.1',
      'server.port': '11434',
    };
    durations.record(1.2, labels as never);
    durations.bind(labels as never).record(0.8);
    const entry = registry
      .snapshot()
      .find((snapshot) => snapshot.definition === CATALOG.genAiClientOperationDuration);
    expect(entry?.series).toHaveLength(1);
    expect(entry?.series[0]?.histogram?.count).toBe(2);
    expect(Object.keys(entry?.series[0]?.attributes ?? {})).not.toContain('error.type');
  });

  it('never throws into the caller', () => {
    const durations = createHistogramRecorder(CATALOG.requestDurationSeconds, { registry });
    expect(() => durations.record(Number.NaN, null as never)).not.toThrow();
    expect(() => durations.record(1, { bogus: 'x' } as never)).not.toThrow();
  });
});

describe('reading one series', () => {
  it('returns the value of a counter or gauge series, or undefined', () => {
    const registry = new MetricRegistry();
    registry.addCounter(CATALOG.cacheHits, { cache_name: 'x' }).cell.add(3);
    registry.addGauge(CATALOG.cacheHitRatePercent, { cache_name: 'x' }, () => 50);
    registry.addGauge(CATALOG.cacheHitRatePercent, { cache_name: 'empty' }, () => undefined);
    expect(registry.value(CATALOG.cacheHits, { cache_name: 'x' })).toBe(3);
    expect(registry.value(CATALOG.cacheHitRatePercent, { cache_name: 'x' })).toBe(50);
    expect(registry.value(CATALOG.cacheHitRatePercent, { cache_name: 'empty' })).toBeUndefined();
    expect(registry.value(CATALOG.cacheHits, { cache_name: 'never' })).toBeUndefined();
    expect(registry.value(CATALOG.cacheMisses, { cache_name: 'x' })).toBeUndefined();
    expect(
      registry.value(CATALOG.requestDurationSeconds, { method: 'GET', route: '/', status: '200' }),
    ).toBeUndefined();
  });
});

describe('the process registry', () => {
  it('is shared through globalThis', () => {
    const key = Symbol.for('@sightglass/core/metric-registry@1');
    expect((globalThis as Record<symbol, unknown>)[key]).toBe(metricRegistry());
  });

  it('is where a group and a recorder report when they are given no registry', () => {
    const group = createMetricGroup();
    group.counter(CATALOG.cacheHits, { cache_name: 'process-wide' }).add(2);
    createHistogramRecorder(CATALOG.cacheLoadDurationSeconds).record(0.5, { cache_name: 'process-wide' });
    expect(metricRegistry().value(CATALOG.cacheHits, { cache_name: 'process-wide' })).toBe(2);
    expect(seriesOf(CATALOG.cacheLoadDurationSeconds, metricRegistry())).toEqual([
      [{ cache_name: 'process-wide' }, 1],
    ]);
    expect(seriesOf(CATALOG.cacheHits)).toEqual([]); // nothing in the test's own registry
    group.dispose();
    expect(metricRegistry().value(CATALOG.cacheHits, { cache_name: 'process-wide' })).toBeUndefined();
  });
});

describe('a registry of its own', () => {
  it('keeps what a group and a recorder given it report apart from the process registry and other registries', () => {
    const other = new MetricRegistry();
    const before = metricRegistry().value(CATALOG.cacheHits, { cache_name: 'own' });
    createMetricGroup({ registry }).counter(CATALOG.cacheHits, { cache_name: 'own' }).add(3);
    createMetricGroup({ registry: other }).counter(CATALOG.cacheHits, { cache_name: 'own' }).inc();
    createHistogramRecorder(CATALOG.cacheLoadDurationSeconds, { registry })
      .bind({ cache_name: 'own' })
      .record(0.25);
    expect(registry.value(CATALOG.cacheHits, { cache_name: 'own' })).toBe(3);
    expect(other.value(CATALOG.cacheHits, { cache_name: 'own' })).toBe(1);
    expect(metricRegistry().value(CATALOG.cacheHits, { cache_name: 'own' })).toBe(before);
    expect(seriesOf(CATALOG.cacheLoadDurationSeconds)).toEqual([[{ cache_name: 'own' }, 1]]);
    expect(seriesOf(CATALOG.cacheLoadDurationSeconds, other)).toEqual([]);
  });

  it("applies that registry's label bounds, not the process registry's", () => {
    registry.setLabelGuardOptions({ maxValues: 1 });
    const group = createMetricGroup({ registry });
    group.counter(CATALOG.cacheHits, { cache_name: 'first' }).inc();
    group.counter(CATALOG.cacheHits, { cache_name: 'second' }).inc();
    expect(seriesOf(CATALOG.cacheHits)).toEqual([
      [{ cache_name: 'first' }, 1],
      [{ cache_name: 'other' }, 1],
    ]);
    const processWide = createMetricGroup();
    processWide.counter(CATALOG.cacheHits, { cache_name: 'second' }).inc();
    expect(metricRegistry().value(CATALOG.cacheHits, { cache_name: 'second' })).toBe(1);
    processWide.dispose();
  });
});
