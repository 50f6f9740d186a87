import { mkdirSync } from 'node:fs';
import { CATALOG, createMetricGroup, type LabelValues, MetricRegistry } from '@sightglass/core';
import { startChromium } from '@sightglass/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from './server.js';

/**
 * The dashboard's LLM row in a real Chromium. The series are reported the way @sightglass/ollama reports
 * them (its GenAiMetrics and PsPoller): through the core registry, with the catalog's entries and labels.
 * Two models, one of them named like an HTML injection (names come from users' configs).
 */
const HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">';
let browser: Awaited<ReturnType<typeof startChromium>>;
let server: Awaited<ReturnType<typeof startMetricsServer>>;
const group = createMetricGroup();
const psPoller = createMetricGroup();
let traffic: NodeJS.Timeout;

const genAi = (model: string) => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'ollama',
  'gen_ai.request.model': model,
  'gen_ai.response.model': model,
  'server.address': '127.0.0.1',
  'server.port': '11434',
});
const callsOf = (model: string, errorType?: string) =>
  group.histogram(CATALOG.genAiClientOperationDuration, {
    ...genAi(model),
    'error.type': errorType,
  } as unknown as LabelValues<typeof CATALOG.genAiClientOperationDuration>);

beforeAll(async () => {
  browser = await startChromium();
  server = await startMetricsServer({ port: 0, dashboard: { intervalMs: 200 } });

  const models = ['llama3.2', HOSTILE].map((model) => ({
    ok: callsOf(model),
    firstChunk: group.histogram(CATALOG.genAiClientTimeToFirstChunk, genAi(model)),
    output: group.histogram(CATALOG.genAiClientTokenUsage, {
      ...genAi(model),
      'gen_ai.token.type': 'output',
    }),
    input: group.histogram(CATALOG.genAiClientTokenUsage, { ...genAi(model), 'gen_ai.token.type': 'input' }),
  }));
  const [llama, hostile] = models as [(typeof models)[0], (typeof models)[0]];
  const timeouts = callsOf('llama3.2', 'timeout');
  const loads = group.histogram(CATALOG.ollamaModelLoadDurationSeconds, {
    pool_name: 'ollama',
    model: 'llama3.2',
  });

  const pool = { pool_name: 'ollama' };
  psPoller.counter(CATALOG.ollamaPsPollFailures, pool);
  psPoller.gauge(CATALOG.ollamaLoadedModels, pool, () => 1);
  const loaded = { pool_name: 'ollama', model: 'llama3.2' };
  psPoller.gauge(CATALOG.ollamaModelSizeBytes, loaded, () => 2 * 1024 ** 3);
  psPoller.gauge(CATALOG.ollamaModelVramBytes, loaded, () => 1024 ** 3);
  psPoller.gauge(CATALOG.ollamaModelExpiresInSeconds, loaded, () => 240);

  let tick = 0;
  traffic = setInterval(() => {
    tick++;
    // Every tick: llama3.2 answers 4 chats and times out once; the other model answers one.
    for (let i = 0; i < 4; i++) {
      llama.ok.record(0.5);
      llama.firstChunk.record(0.1); // bucket (0.08, 0.16]: p50 120 ms, p95 156 ms
      llama.output.record(25);
      llama.input.record(500);
    }
    timeouts.record(30);
    hostile.ok.record(0.2);
    hostile.firstChunk.record(0.015); // bucket (0.01, 0.02]: p50 15 ms
    hostile.output.record(10);
    if (tick === 10 || tick === 20) loads.record(3); // two cold starts of 3 s each
  }, 50);
});

afterAll(async () => {
  clearInterval(traffic);
  group.dispose();
  psPoller.dispose();
  await browser?.close();
  await server?.close();
});

type Page = Awaited<ReturnType<NonNullable<typeof browser>['newPage']>>;

/** The cells of the model table's row of `model`, as text (evaluated in the page, as a string: no DOM types here). */
function modelRow(page: Page, table: string, model: string): Promise<string[] | null> {
  return page.evaluate(`(() => {
    const row = [...document.querySelectorAll(${JSON.stringify(`${table} tbody tr`)})]
      .find((candidate) => candidate.dataset.model === ${JSON.stringify(model)});
    return row ? [...row.cells].map((cell) => cell.textContent) : null;
  })()`);
}

/** The legend labels and whether each chart holds a positive point, by chart id. */
function llmCharts(page: Page): Promise<Record<string, { labels: string[]; data: boolean }>> {
  return page.evaluate(`Object.fromEntries([...window.sightglassDashboard.charts.entries()]
    .filter(([id]) => id.startsWith('llm-'))
    .map(([id, { plot }]) => [id, {
      labels: plot.series.slice(1).map((series) => series.label),
      data: plot.data.slice(1).some((series) => series.some((value) => value !== null && value > 0)),
    }]))`);
}

const figure = (text: string | undefined) => Number.parseFloat(text ?? '');

describe('the dashboard LLM row in Chromium', () => {
  it('shows calls by model and outcome, time to first chunk, tokens/s, cold starts and loaded models', async (context) => {
    if (!browser) return context.skip();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const errors: string[] = [];
    page.on('pageerror', (error: Error) => errors.push(error.message));
    page.on('console', (message: { type(): string; text(): string }) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    await page.goto(server.dashboardUrl!);
    await page.waitForSelector('body[data-ready="true"]');
    await expect.poll(() => page.locator('#llm-section').isVisible()).toBe(true);

    await expect
      .poll(() => llmCharts(page), { timeout: 5000 })
      .toEqual({
        'llm-calls': {
          labels: [`${HOSTILE} ok`, 'llama3.2 ok', 'llama3.2 timeout'], // models in sorted order
          data: true,
        },
        'llm-first-chunk': { labels: ['p50', 'p95'], data: true },
        'llm-tokens': { labels: [HOSTILE, 'llama3.2'], data: true },
      });

    // llama3.2: model, calls/s, outcomes, first chunk p50 and p95, output tokens/s, cold starts, last load.
    await expect
      .poll(() => modelRow(page, '#llm-models', 'llama3.2'), { timeout: 5000 })
      .toEqual([
        'llama3.2',
        expect.stringMatching(/^\d+\.\d\d$/),
        expect.stringMatching(/^ok \d+\.\d\d\/s · timeout \d+\.\d\d\/s$/),
        '120 ms',
        '156 ms',
        expect.stringMatching(/^\d+\.\d$/),
        '2',
        '3.00 s',
      ]);
    // Both rows read at once: a refresh between two reads would compare two samples.
    const [llamaRow, hostile] =
      (await page.evaluate(`[${JSON.stringify('llama3.2')}, ${JSON.stringify(HOSTILE)}]
      .map((model) => [...document.querySelectorAll('#llm-models tbody tr')]
        .find((candidate) => candidate.dataset.model === model))
      .map((row) => [...row.cells].map((cell) => cell.textContent))`)) as [string[], string[]];
    const [, calls, outcomes, , , tokens] = llamaRow;
    const [ok, timeout] = [...outcomes!.matchAll(/(\d+\.\d\d)\/s/g)].map((match) => Number(match[1]));
    // Four answered chats and one timeout per tick of 50 ms: about 80/s and 20/s (the timer's pace decides),
    // always four to one, since a sample never falls inside a tick.
    expect(ok).toBeGreaterThan(0);
    expect(ok! / timeout!).toBeCloseTo(4, 1);
    expect(figure(calls)).toBeCloseTo(ok! + timeout!, 1);
    // 4 × 25 output tokens a tick, about 2000/s; input tokens are not counted (they would be 20 times more).
    expect(figure(tokens)).toBeGreaterThan(0);
    expect(figure(tokens)).toBeLessThan(2 * 100 * 20);

    // The hostile name is text in its cell, never markup: no image, nothing ran.
    expect(hostile.slice(0, 4)).toEqual([
      HOSTILE,
      expect.stringMatching(/^\d+\.\d\d$/),
      expect.stringMatching(/^ok \d+\.\d\d\/s$/),
      '15 ms',
    ]);
    expect(figure(tokens) / figure(hostile[5])).toBeCloseTo(10, 0); // 100 tokens a tick against 10
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('document.body.dataset.pwned ?? null')).toBeNull();

    // The /api/ps poller's gauges: one model loaded, its memory and when Ollama unloads it.
    expect(await page.locator('#llm-loaded .figure b').textContent()).toBe('1');
    expect(await modelRow(page, '#llm-loaded', 'llama3.2')).toEqual([
      'llama3.2',
      '2.0 GiB',
      '1.0 GiB',
      '4 min 0 s',
    ]);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard-llm.png', fullPage: true });

    // Without the poller the card says how to turn it on rather than drawing nothing.
    psPoller.dispose();
    await expect.poll(() => page.locator('#llm-loaded').textContent()).toContain('psPoll: true');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows no time to first chunk or tokens/s for a model that stopped streaming, rather than old ones', async (context) => {
    if (!browser) return context.skip();
    // A registry and a dashboard of its own: the model it retires never shows in the other tests' charts.
    const registry = new MetricRegistry();
    const own = await startMetricsServer({ port: 0, dashboard: { intervalMs: 200, registry } });
    const retired = createMetricGroup({ registry });
    const firstChunk = retired.histogram(CATALOG.genAiClientTimeToFirstChunk, genAi('retired'));
    const output = retired.histogram(CATALOG.genAiClientTokenUsage, {
      ...genAi('retired'),
      'gen_ai.token.type': 'output',
    });
    const calls = retired.histogram(CATALOG.genAiClientOperationDuration, {
      ...genAi('retired'),
      'error.type': undefined,
    } as unknown as LabelValues<typeof CATALOG.genAiClientOperationDuration>);
    const streaming = setInterval(() => {
      calls.record(0.2);
      firstChunk.record(0.015);
      output.record(10);
    }, 50);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    try {
      await page.goto(own.dashboardUrl!);
      await page.waitForSelector('body[data-ready="true"]');
      const figures = async () => (await modelRow(page, '#llm-models', 'retired'))?.slice(3, 6);
      await expect
        .poll(figures, { timeout: 5000 })
        .toEqual([
          expect.stringMatching(/ ms$/),
          expect.stringMatching(/ ms$/),
          expect.stringMatching(/^\d+\.\d$/),
        ]);
      clearInterval(streaming);
      // No more calls: past the quantile window no first chunk to tell of, and no tokens flowing.
      await expect.poll(figures, { timeout: 5000 }).toEqual(['–', '–', '0.0']);
    } finally {
      clearInterval(streaming);
      retired.dispose();
      await page.close();
      await own.close();
    }
  });
});
