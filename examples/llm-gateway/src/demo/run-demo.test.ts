/**
 * The demo, run for real but short: fake Ollama, gateway and load generator in this process. The assertions
 * are on the data `runDemo` returns, scene by scene, not on what it printed.
 */
import { type FakeOllama, startFakeOllama } from '@sightglass/fake-ollama';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { collectingOutput } from '../test-support/sink.js';
import { type DemoResult, runDemo } from './run-demo.js';
import type { SceneName, SceneResult } from './scenes.js';

function scene(result: DemoResult, name: SceneName): SceneResult {
  const found = result.scenes.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no scene ${name}`);
  return found;
}

describe('a 14-second demo', () => {
  const out = collectingOutput();
  let result: DemoResult;

  beforeAll(async () => {
    result = await runDemo({ durationSeconds: 14, rate: 20, out });
  }, 60_000);

  it('warms the common answers at start-up and prints where everything is', () => {
    expect(result.warm).toMatchObject({ loaded: 36, failed: 0 });
    expect(out.text).toContain(`gateway    ${result.urls.gateway}`);
    expect(out.text).toContain(`metrics    ${result.urls.gateway}/metrics`);
    expect(out.text).toContain(`health     ${result.urls.gateway}/health`);
    expect(result.urls.dashboard).toBe(`${result.urls.gateway}/dashboard`);
    expect(out.text).toContain(`dashboard  ${result.urls.gateway}/dashboard`);
  });

  it('steady traffic: every request answered, the breaker closed', () => {
    const steady = scene(result, 'steady');
    expect(steady.requests.sent).toBeGreaterThan(30);
    expect(steady.requests.failed).toBe(0);
    expect(steady.breaker.opened).toBe(0);
  });

  it('steady traffic also shows a tool call round the loop and a structured answer, and checks both', () => {
    expect(result.showcase?.toolCall).toMatchObject({
      name: 'get_weather',
      answer: expect.stringMatching(/\S/),
    });
    expect(result.showcase?.structured).toMatchObject({ fits: true });
    expect(out.text).toMatch(/⚙ +[\d.]+ s {2}tool call {3}model → get_weather\(/);
    expect(out.text).toContain('tool  → {"celsius":');
    expect(out.text).toContain('(parsed, fits the schema)');
    expect(scene(result, 'steady').checks.map((check) => check.claim)).toEqual([
      'every request answered 200',
      'breaker stayed closed',
      'a tool call went round the loop',
      'the structured answer fits its schema',
      'no request lost',
    ]);
    expect(out.text).toContain('✓ a tool call went round the loop');
  });

  it('cache warming: the hit rate rose', () => {
    const { cache } = scene(result, 'warming');
    expect(cache.lastQuarterPercent! - cache.firstQuarterPercent!).toBeGreaterThanOrEqual(10);
  });

  it('outage: the breaker opened and rejected requests fast while cached answers kept coming', () => {
    const outage = scene(result, 'outage');
    expect(outage.breaker.opened).toBeGreaterThan(0);
    expect(outage.requests.byStatus['504']).toBeGreaterThan(0); // the wait before the breaker opened
    expect(outage.requests.byStatus['503']).toBeGreaterThan(0);
    expect(outage.requests.latencyByStatusMs['503']?.p50).toBeLessThan(result.settings.timeoutMs / 4);
    expect(outage.requests.succeeded).toBeGreaterThan(0);
  });

  it('recovery: the breaker went half-open, then closed', () => {
    const recovery = scene(result, 'recovery');
    expect(recovery.breaker.halfOpened).toBeGreaterThan(0);
    expect(recovery.breaker.closed).toBeGreaterThan(0);
    expect(recovery.breaker.stateAtEnd).toBe('closed');
  });

  it('lost no request: every one got an answer or a counted error', () => {
    for (const { requests } of result.scenes) {
      expect(requests.inFlight).toBe(0);
      expect(requests.sent).toBe(requests.answered + requests.errored);
    }
    expect(result.total.sent).toBe(result.scenes.reduce((sum, { requests }) => sum + requests.sent, 0));
    expect(result.nothingLost.ok).toBe(true);
  });

  it('checked every claim and printed the verdicts', () => {
    const failed = result.scenes.flatMap((s) =>
      s.checks.filter((check) => !check.ok).map((c) => `${s.name}: ${c.claim} (${c.detail})`),
    );
    expect(failed).toEqual([]);
    expect(result.ok).toBe(true);
    expect(out.text).toContain('Summary');
    expect(out.text).toContain('✓ no request lost');
    expect(out.text).toContain('breaker OPEN');
    expect(out.text).not.toContain('✗');
  });
});

describe('the demo against a "real" Ollama (--ollama-url)', () => {
  let ollama: FakeOllama;
  beforeAll(async () => {
    ollama = await startFakeOllama({ tokensPerSecond: 2000, ttftMs: 5 });
  });
  afterAll(() => ollama?.close());

  it('skips the outage scenes, saying why, and runs the rest', async () => {
    const out = collectingOutput();
    const result = await runDemo({ durationSeconds: 4, rate: 10, ollamaUrl: ollama.url, out });
    expect(result.scenes.map((s) => [s.name, s.skipped === undefined])).toEqual([
      ['steady', true],
      ['warming', true],
      ['outage', false],
      ['recovery', false],
    ]);
    expect(scene(result, 'outage').skipped).toContain('--ollama-url');
    expect(out.text).toContain('Ollama outage: skipped, a real Ollama cannot be made to fail on cue');
    expect(result.settings.timeoutMs).toBe(60_000);
    expect(result.nothingLost.ok).toBe(true);
  });
});

describe('Ctrl-C during the demo', () => {
  it('ends the current scene, accounts for every request and stops everything', async () => {
    const interrupt = new AbortController();
    const out = collectingOutput();
    const started = performance.now();
    const running = runDemo({ durationSeconds: 60, rate: 20, out, signal: interrupt.signal });
    await vi.waitFor(() => expect(out.text).toContain('▶ 1/4'), { timeout: 20_000, interval: 10 });
    interrupt.abort(); // Ctrl-C in the first scene
    const result = await running;
    expect(performance.now() - started).toBeLessThan(8000);
    expect(result.interrupted).toBe(true);
    expect(result.scenes.map((s) => s.name)).toEqual(['steady']);
    expect(result.scenes[0]!.interrupted).toBe(true);
    expect(result.nothingLost.ok).toBe(true);
    expect(out.text).toContain('Summary (interrupted)');
  });
});
