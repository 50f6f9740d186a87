import {
  CATALOG,
  ErrorCode,
  HealthRegistry,
  type LabelValues,
  type MetricDefinition,
  MetricRegistry,
} from '@sightglass/core';
import { describe, expect, it, vi } from 'vitest';
import { bucketQuantile } from './bucket-quantile.js';
import { DashboardHistory, QUANTILE_WINDOW } from './dashboard-history.js';

/** A registry of its own per test, with helpers to report series the way the packages do. */
function setup(options: ConstructorParameters<typeof DashboardHistory>[0] = {}) {
  const registry = new MetricRegistry();
  const health = new HealthRegistry();
  const history = new DashboardHistory({ registry, health, ...options });
  const counter = <D extends MetricDefinition>(definition: D, labels: LabelValues<D>) =>
    registry.addCounter(definition, labels).cell;
  const gauge = <D extends MetricDefinition>(definition: D, labels: LabelValues<D>, read: () => number) =>
    registry.addGauge(definition, labels, read);
  return { registry, health, history, counter, gauge };
}

describe('DashboardHistory', () => {
  it('shows each breaker with its state and its failure and rejection rates per second', () => {
    const { history, counter, gauge } = setup();
    let state = 0;
    gauge(CATALOG.circuitBreakerState, { breaker_name: 'ollama' }, () => state);
    const failures = counter(CATALOG.circuitBreakerFailures, { breaker_name: 'ollama' });
    const rejected = counter(CATALOG.circuitBreakerCalls, { breaker_name: 'ollama', outcome: 'rejected' });
    counter(CATALOG.circuitBreakerCalls, { breaker_name: 'ollama', outcome: 'success' }).add(100);

    history.sample(0);
    failures.add(10);
    state = 1;
    history.sample(2000);
    rejected.add(6);
    history.sample(4000);

    const { time, breakers } = history.toJSON();
    expect(time).toEqual([0, 2, 4]);
    expect(breakers.ollama).toEqual({
      state: [0, 1, 1],
      failuresPerSecond: [null, 5, 0],
      rejectionsPerSecond: [null, 0, 3],
    });
  });

  it('shows pools as read from their gauges, and caches with hit rate, entries and rates', () => {
    const { history, counter, gauge } = setup();
    const pool = { pool_name: 'ollama' };
    gauge(CATALOG.connectionPoolActiveConnections, pool, () => 3);
    gauge(CATALOG.connectionPoolIdleConnections, pool, () => 1);
    gauge(CATALOG.connectionPoolPendingRequests, pool, () => 0);
    gauge(CATALOG.connectionPoolMaxConnections, pool, () => 4);
    gauge(CATALOG.connectionPoolUtilizationPercent, pool, () => 75);
    const cache = { cache_name: 'answers' };
    const hits = counter(CATALOG.cacheHits, cache);
    const misses = counter(CATALOG.cacheMisses, cache);
    gauge(CATALOG.cacheEntries, cache, () => 42);
    gauge(CATALOG.cacheHitRatePercent, cache, () => 80);

    history.sample(1000);
    hits.add(8);
    misses.add(2);
    history.sample(2000);

    const data = history.toJSON();
    expect(data.pools.ollama).toEqual({
      active: [3, 3],
      idle: [1, 1],
      pending: [0, 0],
      max: [4, 4],
      utilizationPercent: [75, 75],
      waitP50: [null, null], // no request waited for a connection
      waitP95: [null, null],
    });
    expect(data.caches.answers).toEqual({
      hitRatePercent: [80, 80],
      entries: [42, 42],
      hitsPerSecond: [null, 8],
      missesPerSecond: [null, 2],
    });
  });

  it('shows how long requests waited for a pool connection, p50 and p95 per pool over the quantile window', () => {
    const { registry, history, gauge } = setup();
    for (const name of ['ollama', 'other']) {
      gauge(CATALOG.connectionPoolActiveConnections, { pool_name: name }, () => 1);
    }
    const waits = registry.addHistogram(CATALOG.connectionPoolWaitDurationSeconds, { pool_name: 'ollama' });
    history.sample(1000);
    for (let i = 0; i < 17; i++) waits.cell.record(0.0001); // most took a free connection at once
    for (let i = 0; i < 3; i++) waits.cell.record(3); // a few waited 3 s behind busy connections
    history.sample(2000);
    let data = history.toJSON();
    const boundaries = CATALOG.connectionPoolWaitDurationSeconds.boundaries ?? [];
    const counts = new Array<number>(boundaries.length + 1).fill(0);
    counts[boundaries.findIndex((bound) => 0.0001 <= bound)]! += 17;
    counts[boundaries.findIndex((bound) => 3 <= bound)]! += 3;
    expect(data.pools.ollama?.waitP50).toEqual([null, bucketQuantile(boundaries, counts, 0.5)]);
    expect(data.pools.ollama?.waitP95).toEqual([null, bucketQuantile(boundaries, counts, 0.95)]);
    expect(data.pools.ollama?.waitP95[1]).toBeGreaterThan(1);
    expect(data.pools.other?.waitP95).toEqual([null, null]); // a pool without the histogram
    // No new waits for longer than the window: no figure, rather than the old one.
    for (let time = 3000; time <= 3000 + 1000 * QUANTILE_WINDOW; time += 1000) history.sample(time);
    data = history.toJSON();
    expect(data.pools.ollama?.waitP95.at(-1)).toBeNull();
  });

  it('shows requests per second by status class and latency quantiles from the histogram', () => {
    const { registry, history, counter } = setup();
    const ok = counter(CATALOG.requests, { method: 'GET', route: '/a', status: '200' });
    const created = counter(CATALOG.requests, { method: 'POST', route: '/b', status: '201' });
    const failed = counter(CATALOG.requests, { method: 'GET', route: '/a', status: '503' });
    const latency = registry.addHistogram(CATALOG.requestDurationSeconds, {
      method: 'GET',
      route: '/a',
      status: '200',
    }).cell;
    history.sample(0);
    expect(history.toJSON().requests.p50).toEqual([null]);

    ok.add(30);
    created.add(10);
    failed.add(4);
    for (let i = 0; i < 99; i++) latency.record(0.02);
    latency.record(8);
    history.sample(2000);

    const { requests } = history.toJSON();
    expect(requests.perSecondByStatus).toEqual({ '2xx': [null, 20], '5xx': [null, 2] });
    expect(requests.p50[1]).toBeGreaterThan(0.01);
    expect(requests.p50[1]).toBeLessThanOrEqual(0.025);
    expect(requests.p99[1]).toBeLessThanOrEqual(0.025);
    expect(requests.inFlight).toEqual([null, null]);
  });

  it('shows the first requests of a status class in the interval they came in', () => {
    const { history, counter } = setup();
    counter(CATALOG.requests, { method: 'GET', route: '/a', status: '200' }).add(10);
    history.sample(0);
    counter(CATALOG.requests, { method: 'GET', route: '/a', status: '500' }).add(4);
    history.sample(1000);
    expect(history.toJSON().requests.perSecondByStatus['5xx']).toEqual([null, 4]);
  });

  it('keeps at most historyLength samples, oldest dropped, and aligns late series with nulls', () => {
    const { history, gauge } = setup({ historyLength: 3 });
    for (let second = 0; second < 5; second++) {
      if (second === 3) gauge(CATALOG.cacheEntries, { cache_name: 'late' }, () => 7);
      history.sample(second * 1000);
    }
    const data = history.toJSON();
    expect(data.historyLength).toBe(3);
    expect(data.time).toEqual([2, 3, 4]);
    expect(data.caches.late?.entries).toEqual([null, 7, 7]);
  });

  it('shows at most maxEntities of a kind and says that some were left out', () => {
    const { history, gauge } = setup({ maxEntities: 2 });
    for (const name of ['c', 'a', 'b']) gauge(CATALOG.cacheEntries, { cache_name: name }, () => 1);
    history.sample(0);
    const data = history.toJSON();
    expect(Object.keys(data.caches)).toEqual(['a', 'b']);
    expect(data.truncated).toBe(true);
  });

  it('summarizes health at most every healthIntervalMs, without details', async () => {
    vi.useFakeTimers();
    try {
      const { health, history } = setup({ healthIntervalMs: 5000 });
      const check = vi.fn(() => ({ status: 'degraded' as const, details: { error: 'secret-host:6379' } }));
      health.register({ component: 'cache', name: 'answers', check });
      expect(history.toJSON().health).toBeNull();
      history.sample(0); // nobody is looking: no checks run
      await vi.advanceTimersByTimeAsync(20);
      expect(check).not.toHaveBeenCalled();
      history.viewed(0);
      history.sample(0);
      history.sample(1000);
      await vi.advanceTimersByTimeAsync(0);
      expect(history.toJSON().health?.status).toBe('degraded');
      expect(check).toHaveBeenCalledTimes(1);
      expect(history.toJSON().health?.components.cache).toEqual({
        answers: { status: 'degraded', critical: false },
      });
      await vi.advanceTimersByTimeAsync(5000);
      history.sample(6000);
      await vi.advanceTimersByTimeAsync(0);
      expect(check).toHaveBeenCalledTimes(2);
      history.sample(40_000); // the page has not asked for 30 s: the checks stop
      await vi.advanceTimersByTimeAsync(20);
      expect(check).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the one evaluator: what /health produced, and a fresh report rather than a run of its own', async () => {
    vi.useFakeTimers();
    try {
      const { health, history } = setup();
      const check = vi.fn(() => ({ status: 'healthy' as const }));
      health.register({ component: 'cache', name: 'answers', check });
      await health.evaluate(); // what /health did a moment ago
      expect(history.toJSON().health?.status).toBe('healthy'); // shown though the page started nothing
      history.viewed(0);
      history.sample(0);
      await vi.advanceTimersByTimeAsync(0);
      expect(check).toHaveBeenCalledTimes(1); // the report was fresh: no second run
    } finally {
      vi.useRealTimers();
    }
  });

  it('never throws into the application when the registry fails; the sample is skipped', () => {
    const registry = new MetricRegistry();
    vi.spyOn(registry, 'snapshot').mockImplementation(() => {
      throw new Error('boom');
    });
    const history = new DashboardHistory({ registry, health: new HealthRegistry() });
    expect(() => history.sample(0)).not.toThrow();
    expect(history.toJSON().time).toEqual([]);
  });

  it('samples on a timer between start and stop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    try {
      const { history } = setup({ intervalMs: 100 });
      history.start();
      history.start(); // a second start changes nothing
      expect(history.toJSON().time).toHaveLength(1); // a sample at once
      await vi.advanceTimersByTimeAsync(300);
      expect(history.toJSON().time).toHaveLength(4); // and one per interval, from one timer
      history.stop();
      await vi.advanceTimersByTimeAsync(250);
      expect(history.toJSON().time).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['intervalMs', { intervalMs: 10 }],
    ['historyLength', { historyLength: 1.5 }],
    ['maxEntities', { maxEntities: 0 }],
    ['healthIntervalMs', { healthIntervalMs: -1 }],
  ])('rejects a bad %s with INVALID_CONFIG', (name, options) => {
    expect(() => new DashboardHistory(options)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: expect.stringContaining(name) }),
    );
  });
});
