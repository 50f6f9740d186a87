import { mkdirSync } from 'node:fs';
import {
  CATALOG,
  createHistogramRecorder,
  createMetricGroup,
  MetricRegistry,
  recordWithSpan,
} from '@sightglass/core';
import { startChromium, startTracing, type Tracing } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from './server.js';

/**
 * The dashboard in a real Chromium: the page loads, its charts hold data, and a breaker's tile turns from
 * green to red when the breaker opens. The series are reported the way @sightglass/resilience, the ollama
 * pool, the cache and @sightglass/http report them: through the core registry.
 */
let browser: Awaited<ReturnType<typeof startChromium>>;
let server: Awaited<ReturnType<typeof startMetricsServer>>;
let tracing: Tracing;
let breakerState = 0;
/** Where the dashboard's trace links point (a Jaeger UI), the `traceUrl` option. */
const TRACE_URL = 'http://jaeger.test:16686/trace/{traceId}?uiFind={spanId}';
const group = createMetricGroup();
let traffic: NodeJS.Timeout;

beforeAll(async () => {
  browser = await startChromium();
  server = await startMetricsServer({ port: 0, dashboard: { intervalMs: 200, traceUrl: TRACE_URL } });
  tracing = startTracing();

  const breaker = { breaker_name: 'ollama-chat' };
  group.gauge(CATALOG.circuitBreakerState, breaker, () => breakerState);
  const failures = group.counter(CATALOG.circuitBreakerFailures, breaker);
  const rejections = group.counter(CATALOG.circuitBreakerCalls, { ...breaker, outcome: 'rejected' });
  const pool = { pool_name: 'ollama' };
  group.gauge(CATALOG.connectionPoolActiveConnections, pool, () => 6);
  group.gauge(CATALOG.connectionPoolIdleConnections, pool, () => 2);
  group.gauge(CATALOG.connectionPoolPendingRequests, pool, () => 1);
  group.gauge(CATALOG.connectionPoolMaxConnections, pool, () => 8);
  group.gauge(CATALOG.connectionPoolUtilizationPercent, pool, () => 75);
  const poolWait = group.histogram(CATALOG.connectionPoolWaitDurationSeconds, pool);
  const cache = { cache_name: 'responses' };
  const hits = group.counter(CATALOG.cacheHits, cache);
  const misses = group.counter(CATALOG.cacheMisses, cache);
  group.gauge(CATALOG.cacheEntries, cache, () => 120);
  group.gauge(CATALOG.cacheHitRatePercent, cache, () => 80);
  const ok = group.counter(CATALOG.requests, { method: 'POST', route: '/v1/chat', status: '200' });
  const unavailable = group.counter(CATALOG.requests, { method: 'POST', route: '/v1/chat', status: '503' });
  const latency = createHistogramRecorder(CATALOG.requestDurationSeconds);

  traffic = setInterval(() => {
    hits.add(8);
    misses.add(2);
    ok.add(10);
    // Per tick, four calls find a free connection (0.3 ms) and one waits 2 s: p50 0.3 ms, p95 about 2.1 s.
    for (let i = 0; i < 4; i++) poolWait.record(0.0003);
    poolWait.record(2);
    for (let i = 0; i < 10; i++)
      latency.record(0.02 + i * 0.03, { method: 'POST', route: '/v1/chat', status: '200' });
    if (breakerState === 1) {
      unavailable.add(3);
      rejections.add(3);
    } else {
      failures.add(breakerState === 0 ? 0 : 1);
    }
  }, 50);
});

afterAll(async () => {
  clearInterval(traffic);
  group.dispose();
  await browser?.close();
  await server?.close();
  await tracing?.stop();
});

type Page = Awaited<ReturnType<NonNullable<typeof browser>['newPage']>>;

/** Evaluated in the page (as strings: this package's TypeScript has no DOM types). */
function tileColour(page: Page): Promise<string> {
  return page.evaluate(
    `getComputedStyle(document.querySelector('.tile[data-name="ollama-chat"]')).backgroundColor`,
  );
}

/** Whether each chart holds at least one positive point, by chart id. */
function chartsWithData(page: Page): Promise<[string, boolean][]> {
  return page.evaluate(`[...window.sightglassDashboard.charts.entries()].map(([id, { plot }]) => [
    id,
    plot.data.slice(1).some((series) => series.some((value) => value !== null && value > 0)),
  ])`);
}

describe('the built-in dashboard in Chromium', () => {
  it('loads, draws every chart with data, and turns a breaker tile red when the breaker opens', async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (error: Error) => errors.push(error.message));
    page.on('console', (message: { type(): string; text(): string }) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(server.dashboardUrl!);
    await page.waitForSelector('body[data-ready="true"]');
    const tile = page.locator('.tile[data-name="ollama-chat"]');
    await expect.poll(() => tile.getAttribute('data-state')).toBe('closed');
    const closedColour = await tileColour(page);
    expect(closedColour).toBe('rgb(31, 143, 78)');

    // Every chart on the page holds points: requests, latency, the pool and the cache.
    await expect
      .poll(() => chartsWithData(page))
      .toEqual([
        ['requests-rate', true],
        ['requests-latency', true],
        [expect.stringMatching(/^pool-.*-chart$/), true],
        [expect.stringMatching(/^cache-.*-chart$/), true],
      ]);
    expect(await page.locator('canvas').count()).toBe(4);
    // No Ollama client reports here: the LLM row stays hidden, it draws no empty charts.
    expect(await page.locator('#llm-section').isHidden()).toBe(true);
    // The latency above came without spans: no request to list yet, and the card says why.
    expect(await page.locator('#slow-empty').textContent()).toBe(
      'No sampled requests yet: exemplars need tracing, see docs/tracing.md',
    );
    expect(await page.locator('#slow-empty').isVisible()).toBe(true);
    expect(await page.locator('#slow-requests').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#caches .figure b').first().textContent()).toBe('80.0%');
    // The pool card shows how long calls waited for a connection (connection_pool_wait_duration_seconds).
    await expect
      .poll(() => page.locator('#pools .figure').allTextContents())
      .toEqual([
        '75%utilization',
        '6active',
        '2idle',
        '1pending',
        '8max',
        '0.3 mswait p50',
        '2.13 swait p95',
      ]);

    breakerState = 1;
    await expect.poll(() => tile.getAttribute('data-state')).toBe('open');
    expect(await tileColour(page)).toBe('rgb(196, 60, 60)');
    await expect.poll(() => tile.textContent()).toMatch(/rejections [1-9]\d*\.\d\d\/s/);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    expect(errors).toEqual([]);

    breakerState = 2;
    await expect.poll(() => tile.getAttribute('data-state')).toBe('half-open');
    await page.close();
  });

  it('lists the slowest requests whose spans were sampled, with their trace ids linked', async (context) => {
    if (!browser) return context.skip();
    // A registry and a dashboard of its own: the sampled requests it records never reach the other test's
    // page, which shows none.
    const registry = new MetricRegistry();
    const own = await startMetricsServer({
      port: 0,
      dashboard: { intervalMs: 200, traceUrl: TRACE_URL, registry },
    });
    const requests = createMetricGroup({ registry });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (error: Error) => errors.push(error.message));
    await page.goto(own.dashboardUrl!);
    await page.waitForSelector('body[data-ready="true"]');

    // Two requests measured inside sampled spans (recordWithSpan keeps each as its bucket's exemplar), one
    // of them on a route named like an HTML injection: routes come from the application.
    const hostileRoute = '/<img src=x onerror="document.body.dataset.pwned=1">';
    const slow = requests.histogram(CATALOG.requestDurationSeconds, {
      method: 'POST',
      route: '/v1/chat',
      status: '504',
    });
    const odd = requests.histogram(CATALOG.requestDurationSeconds, {
      method: 'GET',
      route: hostileRoute,
      status: '200',
    });
    const slowSpan = tracing.startSpan('POST /v1/chat');
    recordWithSpan(slow, 42.5, slowSpan);
    slowSpan.end();
    const oddSpan = tracing.startSpan('GET odd');
    recordWithSpan(odd, 1.25, oddSpan);
    oddSpan.end();
    const { traceId, spanId } = slowSpan.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const rows = page.locator('#slow-requests tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.locator('#slow-empty').isHidden()).toBe(true);
    const first = rows.first();
    expect(await first.getAttribute('data-trace-id')).toBe(traceId);
    const cells = (await first.locator('td').allTextContents()).slice(0, 5);
    expect(cells).toEqual(['42.50 s', 'POST /v1/chat', '504', traceId, spanId]);
    expect(await first.locator('td').nth(5).textContent()).toMatch(/^(just now|\d+ s ago)$/);
    const link = first.locator('td.trace a');
    expect(await link.getAttribute('href')).toBe(
      `http://jaeger.test:16686/trace/${traceId}?uiFind=${spanId}`,
    );
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');

    const second = rows.nth(1);
    expect(await second.getAttribute('data-trace-id')).toBe(oddSpan.spanContext().traceId);
    expect(await second.locator('td.name').textContent()).toBe(`GET ${hostileRoute}`);
    expect(await page.locator('#slow-requests img').count()).toBe(0);
    expect(await page.evaluate('document.body.dataset.pwned')).toBeUndefined();
    expect(await page.locator('#slow-window').textContent()).toBe(
      '· sampled traces, the 10 slowest of the last 1 min',
    );
    mkdirSync('test-results', { recursive: true });
    await page.locator('#slow-card').screenshot({ path: 'test-results/dashboard-slow-requests.png' });
    expect(errors).toEqual([]);
    await page.close();
    requests.dispose();
    await own.close();
  });
});
