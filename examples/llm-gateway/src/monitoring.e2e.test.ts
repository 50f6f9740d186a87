/**
 * The monitoring path end to end: Debian's Prometheus scrapes the gateway, with Sightglass's alerting and
 * recording rules loaded, while the gateway serves traffic through an Ollama slowdown, an outage and a
 * recovery. Every query of the Grafana dashboard must return data, every rule must evaluate without error,
 * and the built-in dashboard, in Debian's Chromium, must show the breaker open during the outage. The fake
 * Ollama takes 300 ms to load a model (a cold start each), and the gateway polls its `/api/ps`, so the
 * LLM server row's panels (cold starts, load time, loaded models, their memory and time until unload) have
 * data too.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG, metricRegistry, prometheusName } from '@sightglass/core';
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import {
  ARTIFACT_PATHS,
  alertExpressions,
  buildDashboard,
  dashboardQueries,
  interpolateQuery,
} from '@sightglass/grafana';
import { startTelemetry, type Telemetry } from '@sightglass/node';
import {
  prometheusBinary,
  type RunningPrometheus,
  startChromium,
  startPrometheus,
  waitFor,
} from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonRequests } from './common-prompts.js';
import type { Gateway } from './gateway.js';
import { startTestGateway, TEST_TIMING } from './test-support/fixture.js';
import { chat, post } from './test-support/http.js';

const binary = prometheusBinary();
const rulesDir = fileURLToPath(new URL('../../../packages/grafana/', import.meta.url));

let telemetry: Telemetry;
let ollama: FakeOllama;
let gateway: Gateway;
let url: string;
let prometheus: RunningPrometheus | undefined;
let browser: Awaited<ReturnType<typeof startChromium>>;
let screenshot: Promise<string> | undefined;

/** Sends `perSecond` requests a second for `seconds`: repeated and one-off prompts on all three routes. */
async function traffic(seconds: number, perSecond: number, tag: string): Promise<void> {
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < seconds * perSecond; i++) {
    const prompt = i % 3 === 0 ? `${tag} one-off question ${i}` : 'Why is the sky blue?';
    const kind = i % 6;
    sent.push(
      kind === 5
        ? post(url, '/v1/chat', { ...chat(prompt), stream: true })
        : kind === 3
          ? post(url, '/v1/generate', { model: 'llama3.2', prompt })
          : kind === 4
            ? post(url, '/v1/embed', { model: 'nomic-embed-text', input: prompt })
            : post(url, '/v1/chat', chat(prompt)),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
  }
  await Promise.all(sent);
}

const STATE = prometheusName(CATALOG.circuitBreakerState);
const MODEL_LOAD_MS = 300;
const MODELS = { model: 'llama3.2', embedModel: 'nomic-embed-text' };

/**
 * Ollama loads a model on its first call: a cold start, 300 ms here. Through the gateway that call would
 * run under this scenario's 400 ms deadline (short, for the outage) behind others waiting for the same
 * load, so the models are loaded first with a call each straight through the gateway's client, which
 * records the loads (`ollama_model_load_duration_seconds`) as any call would.
 */
async function loadModels(): Promise<void> {
  const chatted = await gateway.ollama.chat({
    model: MODELS.model,
    messages: [{ role: 'user', content: 'hi' }],
  });
  const embedded = await gateway.ollama.embed({ model: MODELS.embedModel, input: 'hi' });
  for (const { load_duration } of [chatted, embedded]) {
    expect(load_duration).toBeGreaterThanOrEqual(MODEL_LOAD_MS * 1e6); // nanoseconds
  }
}

/**
 * Warms the cache until a pass loads every entry, for 30 s at most. "Time since last good warm-up" reads
 * `cache_warm_last_success_timestamp_seconds`, which only a pass without a failure sets; the first calls of
 * a fresh process (its first connections, code not yet compiled) on a busy machine sometimes outlast the
 * 400 ms deadline, and a pass with one timeout left that panel empty in about one run in four.
 */
async function warmUpCleanly(): Promise<void> {
  await waitFor('a warm-up pass without a failure', async () => {
    const report = await gateway.warm(commonRequests(MODELS));
    return report.failed === 0 ? report : undefined;
  });
}
const breakerState = () =>
  metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'ollama.chat' });

beforeAll(async () => {
  if (binary === undefined) return;
  telemetry = await startTelemetry({
    serviceName: 'llm-gateway',
    prometheus: { server: false },
    runtimeMetrics: { precisionMs: 10 },
  });
  // A model load takes 300 ms, over the 0.25 s that makes it a cold start in the metrics.
  ollama = await startFakeOllama({ ...TEST_TIMING, loadDurationMs: MODEL_LOAD_MS });
  ({ gateway, url } = await startTestGateway('ollama', ollama.url, {
    cache: { name: 'responses' },
    policy: { timeoutMs: 400, breakerFailures: 3, halfOpenAfterMs: 1500, retries: 1, retryDelayMs: 10 },
    dashboard: { intervalMs: 250 },
    psPoll: { intervalMs: 1000 },
  }));
  await loadModels();
  await warmUpCleanly();
  const { host } = new URL(url);
  prometheus = await startPrometheus(binary, [host], '/metrics', {
    ruleFiles: [`${rulesDir}${ARTIFACT_PATHS.alerts}`, `${rulesDir}${ARTIFACT_PATHS.recording}`],
  });
  browser = await startChromium();

  await traffic(4, 20, 'steady');
  const screenshotWhenOpen = await watchDashboard();
  ollama.faults.set({ addedLatencyMs: 1000 }); // slow: attempts time out, the breaker opens
  const outage = traffic(4, 20, 'slow');
  await waitFor('the breaker to open', async () => (breakerState() === 1 ? true : undefined));
  screenshot = screenshotWhenOpen();
  await outage;
  ollama.faults.set({ errorStatus: 500 }); // failing fast: retried, then 502
  await traffic(3, 20, 'failing');
  ollama.faults.clear();
  await traffic(5, 20, 'recovered');
  // Two more scrapes and rule evaluations after the last request.
  await new Promise((resolve) => setTimeout(resolve, 2500));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await prometheus?.stop();
  await gateway?.close();
  await ollama?.close();
  await telemetry?.shutdown();
});

/**
 * Opens the built-in dashboard, then (returned) waits for the breaker's tile to turn open and saves a
 * screenshot, the one in docs/images/dashboard.png. Resolves with the tile's state and colour.
 */
async function watchDashboard(): Promise<() => Promise<string>> {
  if (!browser) return async () => 'no browser';
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${url}/dashboard`);
  await page.waitForSelector('body[data-ready="true"]');
  return async () => {
    try {
      // The tile open and the health summary caught up with it (it is refreshed less often than the tiles).
      await page.waitForFunction(
        `document.querySelector('.tile[data-name="ollama.chat"]')?.dataset.state === 'open' &&
          document.querySelector('#health .pill[data-status="degraded"]') !== null`,
        undefined,
        { timeout: 15_000, polling: 50 },
      );
      const colour = await page.evaluate(
        `getComputedStyle(document.querySelector('.tile[data-name="ollama.chat"]')).backgroundColor`,
      );
      mkdirSync('test-results', { recursive: true });
      await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
      return `open ${colour}`;
    } finally {
      await page.close();
    }
  };
}

describe.skipIf(binary === undefined)('the gateway under Prometheus, Grafana queries and rules', () => {
  it('is scraped by Prometheus', async () => {
    const [target] = await prometheus!.targets();
    expect(target).toMatchObject({ health: 'up', lastError: '' });
  });

  it('returns data for every query of the Grafana dashboard', async () => {
    const queries = dashboardQueries(buildDashboard());
    expect(queries.length).toBeGreaterThan(50);
    const empty: string[] = [];
    for (const query of queries) {
      const result = await prometheus!.query(interpolateQuery(query.expr, { rateInterval: '1m' }));
      if (result.length === 0) empty.push(`${query.panel} (${query.refId}): ${query.expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('filled the LLM server row: a cold start per model, and the models /api/ps says are loaded', async () => {
    const loads = await prometheus!.query(
      `sum by (model) (${prometheusName(CATALOG.ollamaModelLoadDurationSeconds)}_count)`,
    );
    expect(Object.fromEntries(loads.map(({ metric, value }) => [metric.model, value[1]]))).toEqual({
      'llama3.2': '1',
      'nomic-embed-text': '1',
    });
    const loaded = await prometheus!.query(`max(${prometheusName(CATALOG.ollamaLoadedModels)})`);
    expect(loaded.map(({ value }) => value[1])).toEqual(['2']);
  });

  it('evaluates every alerting and recording rule without error, and every alert expression parses', async () => {
    const rules = await prometheus!.rules();
    expect(rules.length).toBeGreaterThanOrEqual(14);
    expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
    for (const { expr } of alertExpressions()) {
      await expect(prometheus!.query(expr)).resolves.toBeInstanceOf(Array);
    }
  });

  it('saw the breaker open during the outage, and closed at the end', async () => {
    const openSamples = await prometheus!.query(
      `count_over_time((${STATE}{breaker_name="ollama.chat"} == 1)[5m:1s])`,
    );
    expect(Number(openSamples[0]?.value[1])).toBeGreaterThan(0);
    const now = await prometheus!.query(`${STATE}{breaker_name="ollama.chat"}`);
    expect(now.map(({ value }) => value[1])).toEqual(['0']);
    const transitions = await prometheus!.query(
      `sum by (to) (${prometheusName(CATALOG.circuitBreakerStateTransitions)}{breaker_name="ollama.chat"})`,
    );
    expect(transitions.map(({ metric }) => metric.to).sort()).toEqual(
      expect.arrayContaining(['closed', 'half_open', 'open']),
    );
  });

  it('showed the breaker open, in red, on the built-in dashboard in Chromium', async () => {
    if (!browser) return;
    expect(await screenshot).toBe('open rgb(196, 60, 60)');
  });
});
