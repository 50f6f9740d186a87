import { CATALOG, HealthRegistry, type LabelValues, MetricRegistry } from '@sightglass/core';
import { describe, expect, it } from 'vitest';
import { DashboardHistory } from './dashboard-history.js';

/**
 * The LLM row's data, from series reported through a registry the way @sightglass/ollama's GenAiMetrics and
 * PsPoller report them: the same catalog entries and label sets (error.type left undefined on success).
 */
function setup(options: ConstructorParameters<typeof DashboardHistory>[0] = {}) {
  const registry = new MetricRegistry();
  const history = new DashboardHistory({ registry, health: new HealthRegistry(), ...options });
  const genAi = (model: string, operation = 'chat') => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'ollama',
    'gen_ai.request.model': model,
    'gen_ai.response.model': model,
    'server.address': '127.0.0.1',
    'server.port': '11434',
  });
  /** The duration cell of calls to `model` that ended with `errorType` (`undefined`: succeeded). */
  const calls = (model: string, errorType?: string, operation?: string) =>
    registry.addHistogram(CATALOG.genAiClientOperationDuration, {
      ...genAi(model, operation),
      'error.type': errorType,
    } as unknown as LabelValues<typeof CATALOG.genAiClientOperationDuration>).cell;
  const firstChunk = (model: string) =>
    registry.addHistogram(CATALOG.genAiClientTimeToFirstChunk, genAi(model)).cell;
  const tokens = (model: string, type: 'input' | 'output') =>
    registry.addHistogram(CATALOG.genAiClientTokenUsage, { ...genAi(model), 'gen_ai.token.type': type }).cell;
  const loads = (model: string, pool = 'ollama') =>
    registry.addHistogram(CATALOG.ollamaModelLoadDurationSeconds, { pool_name: pool, model }).cell;
  return { registry, history, calls, firstChunk, tokens, loads };
}

const repeat = (times: number, record: () => void) => {
  for (let i = 0; i < times; i++) record();
};

describe('the dashboard LLM row', () => {
  it('has no models and no poller when nothing reports GenAI series (the page hides the row)', () => {
    const { history } = setup();
    history.sample(0);
    history.sample(1000);
    expect(history.toJSON().llm).toEqual({
      models: {},
      timeToFirstChunkP50: [null, null],
      timeToFirstChunkP95: [null, null],
      outputTokensPerSecond: [null, null],
      psPolling: false,
      loadedModels: [null, null],
      loaded: {},
    });
  });

  it('shows calls per second by model and outcome: ok, or the error.type, ok first', () => {
    const { history, calls } = setup();
    const chat = calls('llama3.2');
    const embed = calls('nomic-embed-text', undefined, 'embeddings');
    chat.record(1);
    history.sample(0);
    repeat(20, () => chat.record(0.5));
    repeat(6, () => embed.record(0.05));
    const timeouts = calls('llama3.2', 'timeout');
    repeat(4, () => timeouts.record(30));
    history.sample(2000);
    repeat(2, () => calls('llama3.2', 'aborted').record(1)); // one more series of its own each time
    history.sample(4000);

    const { models } = history.toJSON().llm;
    expect(Object.keys(models)).toEqual(['llama3.2', 'nomic-embed-text']);
    expect(models['llama3.2']?.callsPerSecondByOutcome).toEqual({
      ok: [null, 10, 0],
      aborted: [null, null, 1], // first seen in the last interval: counted from 0
      timeout: [null, 2, 0],
    });
    expect(Object.keys(models['llama3.2']!.callsPerSecondByOutcome)).toEqual(['ok', 'aborted', 'timeout']);
    expect(models['nomic-embed-text']?.callsPerSecondByOutcome).toEqual({ ok: [null, 3, 0] });
    expect(models['nomic-embed-text']?.outputTokensPerSecond).toEqual([null, null, null]); // embeddings
  });

  it('shows time to first chunk p50/p95 per model and over every model, over the quantile window', () => {
    const { history, firstChunk } = setup();
    const llama = firstChunk('llama3.2');
    const qwen = firstChunk('qwen3');
    history.sample(0);
    repeat(10, () => llama.record(0.015)); // bucket (0.01, 0.02]
    repeat(10, () => qwen.record(0.3)); // bucket (0.16, 0.32]
    history.sample(1000);
    for (let second = 2; second <= 6; second++) history.sample(second * 1000); // nothing new for 5 samples

    const llm = history.toJSON().llm;
    expect(llm.models['llama3.2']?.timeToFirstChunkP50[1]).toBeCloseTo(0.015);
    expect(llm.models['llama3.2']?.timeToFirstChunkP95[1]).toBeCloseTo(0.0195);
    expect(llm.models.qwen3?.timeToFirstChunkP50[1]).toBeCloseTo(0.24);
    expect(llm.models.qwen3?.timeToFirstChunkP95[1]).toBeCloseTo(0.312);
    // Over both: the 10th of 20 is the last of the fast bucket, the 19th the 9th of the slow one.
    expect(llm.timeToFirstChunkP50[1]).toBeCloseTo(0.02);
    expect(llm.timeToFirstChunkP95[1]).toBeCloseTo(0.304);
    // The window holds the change over the last 5 intervals: at 6 s it no longer holds the streams of 1 s.
    expect(llm.timeToFirstChunkP95.slice(2)).toEqual([
      expect.closeTo(0.304),
      expect.closeTo(0.304),
      expect.closeTo(0.304),
      expect.closeTo(0.304),
      null,
    ]);
    expect(llm.models['llama3.2']?.timeToFirstChunkP50[0]).toBeNull();
  });

  it('shows output tokens per second over the window, not input tokens', () => {
    const { history, tokens } = setup();
    const input = tokens('llama3.2', 'input');
    const output = tokens('llama3.2', 'output');
    history.sample(0);
    input.record(1000);
    output.record(300);
    output.record(100);
    history.sample(2000);
    history.sample(4000);

    const llm = history.toJSON().llm;
    expect(llm.models['llama3.2']?.outputTokensPerSecond).toEqual([null, 200, 100]); // 400 over 2 s, then 4 s
    expect(llm.outputTokensPerSecond).toEqual([null, 200, 100]);
    expect(llm.models['llama3.2']?.timeToFirstChunkP50).toEqual([null, null, null]); // no streams
  });

  it('counts a model first seen after the first sample from nothing', () => {
    const { history, tokens, firstChunk } = setup();
    history.sample(0);
    tokens('qwen3', 'output').record(50);
    firstChunk('qwen3').record(0.1); // bucket (0.08, 0.16]
    history.sample(1000);

    const qwen = history.toJSON().llm.models.qwen3;
    expect(qwen?.outputTokensPerSecond).toEqual([null, 50]);
    expect(qwen?.timeToFirstChunkP50[1]).toBeCloseTo(0.12);
    expect(qwen?.timeToFirstChunkP95[1]).toBeCloseTo(0.156);
  });

  it('shows cold starts since the previous sample and their mean load time', () => {
    const { history, loads } = setup();
    const llama = loads('llama3.2');
    llama.record(10); // before the first sample: not shown as this interval's
    history.sample(0);
    llama.record(2);
    llama.record(4);
    history.sample(1000);
    history.sample(2000);

    expect(history.toJSON().llm.models['llama3.2']).toMatchObject({
      coldStarts: [null, 2, 0],
      loadSeconds: [null, 3, null],
      callsPerSecondByOutcome: {},
    });
  });

  it('says the /api/ps poller is off, on without an answer yet, or shows the loaded models', () => {
    const { registry, history } = setup();
    history.sample(0);
    expect(history.toJSON().llm.psPolling).toBe(false);

    // What PsPoller registers when it starts: the failure counter, and a count that reads undefined until
    // a poll succeeds.
    let known = false;
    registry.addCounter(CATALOG.ollamaPsPollFailures, { pool_name: 'ollama' }).cell.inc();
    registry.addGauge(CATALOG.ollamaLoadedModels, { pool_name: 'ollama' }, () => (known ? 1 : undefined));
    history.sample(1000);
    expect(history.toJSON().llm).toMatchObject({ psPolling: true, loadedModels: [null, null], loaded: {} });

    known = true;
    const model = { pool_name: 'ollama', model: 'llama3.2:3b' };
    registry.addGauge(CATALOG.ollamaModelSizeBytes, model, () => 3_000_000_000);
    registry.addGauge(CATALOG.ollamaModelVramBytes, model, () => 2_000_000_000);
    registry.addGauge(CATALOG.ollamaModelExpiresInSeconds, model, () => 240);
    // The same model on a second Ollama: memory adds up, the first to unload it counts.
    registry.addGauge(CATALOG.ollamaLoadedModels, { pool_name: 'gpu-2' }, () => 1);
    const second = { pool_name: 'gpu-2', model: 'llama3.2:3b' };
    registry.addGauge(CATALOG.ollamaModelSizeBytes, second, () => 3_000_000_000);
    registry.addGauge(CATALOG.ollamaModelExpiresInSeconds, second, () => 60);
    history.sample(2000);

    const llm = history.toJSON().llm;
    expect(llm.psPolling).toBe(true);
    expect(llm.loadedModels).toEqual([null, null, 2]);
    expect(llm.loaded).toEqual({
      'llama3.2:3b': {
        sizeBytes: [null, null, 6_000_000_000],
        vramBytes: [null, null, 2_000_000_000],
        expiresInSeconds: [null, null, 60],
      },
    });
    expect(llm.models).toEqual({}); // a poller alone: no calls yet
  });

  it('shows at most maxEntities models, says some were left out, and keeps names as they are', () => {
    const { history, calls } = setup({ maxEntities: 2 });
    for (const name of ['zephyr', '<img src=x onerror=alert(1)>', 'llama3.2']) calls(name).record(1);
    history.sample(0);
    const data = history.toJSON();
    expect(Object.keys(data.llm.models)).toEqual(['<img src=x onerror=alert(1)>', 'llama3.2']);
    expect(data.truncated).toBe(true);
  });
});
