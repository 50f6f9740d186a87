/**
 * The chaos suite: the real gateway (its response cache on Debian's redis-server) in front of the fake Ollama,
 * with faults injected on both sides: Ollama failing, slow, stalling, dropping connections mid-stream and
 * sending error lines; Redis frozen (SIGSTOP) and killed. Every request sent is counted, and so is every
 * answer: none may be lost, every 5xx must be typed, and the gateway's own metrics must say exactly what
 * the client saw (`requests_total` per status, `response_streams_total` per outcome, breaker transitions,
 * `cache_errors_total` while Redis is away).
 */
import { CATALOG, type MetricDefinition, metricRegistry } from '@sightglass/core';
import type { FakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry, type Telemetry } from '@sightglass/node';
import { type RunningRedis, redisBinary, startRedis, waitFor } from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { startTestGateway, startTestOllama } from './test-support/fixture.js';
import { chat, get } from './test-support/http.js';
import { Tally } from './test-support/tally.js';

const binary = redisBinary();
const CACHE = 'chaos_responses';
/** What the suite measured, printed at the end. */
const figures: Record<string, unknown> = {};

let telemetry: Telemetry;
let ollama: FakeOllama;
let redis: RunningRedis;
let gateway: Gateway;
let url: string;

/** A counter's series as `label=value label=value` → total, for the labels given (others summed over). */
function counters(definition: MetricDefinition, by: readonly string[], where: Record<string, string> = {}) {
  const totals: Record<string, number> = {};
  const family = metricRegistry()
    .snapshot()
    .find((snapshot) => snapshot.definition.name === definition.name);
  for (const series of family?.series ?? []) {
    const { attributes } = series;
    if (Object.entries(where).some(([label, value]) => attributes[label] !== value)) continue;
    const key = by.map((label) => String(attributes[label])).join(' ');
    totals[key] = (totals[key] ?? 0) + series.value;
  }
  return totals;
}

/** `after - before`, key by key, leaving out what did not change. */
function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const grown = value - (before[key] ?? 0);
    if (grown !== 0) changed[key] = grown;
  }
  return changed;
}

const requestCounts = () => counters(CATALOG.requests, ['route', 'status']);
const streamOutcomes = () => counters(CATALOG.responseStreams, ['route', 'outcome']);
const transitions = (breaker: string) =>
  counters(CATALOG.circuitBreakerStateTransitions, ['to'], { breaker_name: breaker });
const cacheErrors = () => counters(CATALOG.cacheErrors, ['operation'], { cache_name: CACHE });
const sum = (totals: Record<string, number>) => Object.values(totals).reduce((a, b) => a + b, 0);

/**
 * Waits until `requests_total` grew by exactly what `tally` saw per route and status (a request is counted
 * when its response finishes, a moment after the client has it), then returns the growth.
 */
async function expectRequestsCounted(tally: Tally, before: Record<string, number>): Promise<void> {
  const grown = await waitFor(
    'requests_total to count every answer',
    async () => {
      const now = delta(requestCounts(), before);
      return sum(now) >= tally.answered ? now : undefined;
    },
    5000,
    10,
  ).catch(() => delta(requestCounts(), before));
  expect(grown).toEqual(tally.byStatus);
}

/** Nothing lost: every request got an answer, and every 5xx said which error it was. */
function expectNothingLost(tally: Tally): void {
  expect(tally.dropped).toEqual([]);
  expect(tally.answered).toBe(tally.sent);
  expect(tally.untyped).toEqual([]);
}

async function cacheHealth(): Promise<{ status: string; connected: boolean; overall: string }> {
  const report = (await get(url, '/health')).json as {
    status: string;
    cache: Record<string, { status: string; details: { store: { connected: boolean } } }>;
  };
  const check = report.cache[CACHE]!;
  return { status: check.status, connected: check.details.store.connected, overall: report.status };
}

beforeAll(async () => {
  if (binary === undefined) return;
  telemetry = await startTelemetry({ prometheus: { server: false }, runtimeMetrics: false });
  ollama = await startTestOllama();
  redis = await startRedis(binary);
  ({ gateway, url } = await startTestGateway('chaos', ollama.url, {
    cache: { redis: { url: redis.url, keyPrefix: 'chaos:', commandTimeoutMs: 150 } },
    policy: {
      timeoutMs: 400,
      streamIdleTimeoutMs: 200,
      breakerFailures: 3,
      halfOpenAfterMs: 300,
      retries: 1,
      retryDelayMs: 5,
    },
    closeGraceMs: 500,
  }));
});

afterAll(async () => {
  await gateway?.close();
  await redis?.dispose();
  await ollama?.close();
  await telemetry?.shutdown();
  if (binary !== undefined) console.log(`chaos suite: ${JSON.stringify(figures)}`);
});

afterEach(() => ollama?.faults.clear());

describe.skipIf(binary === undefined)('the gateway under chaos', () => {
  it('Ollama failing: 502s, then the chat breaker opens (503 at once); once it answers, a probe closes it', async () => {
    const tally = new Tally();
    const requests = requestCounts();
    const moves = transitions('chaos.chat');
    const calls = () => counters(CATALOG.circuitBreakerCalls, ['outcome'], { breaker_name: 'chaos.chat' });
    const callsBefore = calls();
    ollama.faults.set({ errorStatus: 500, paths: ['/api/chat'] });
    for (let i = 0; i < 8; i++) await tally.send(url, '/v1/chat', chat(`failing question ${i}`));
    expect(tally.status(502)).toBeGreaterThan(0);
    expect(tally.status(503)).toBeGreaterThan(0);
    expect(tally.status(502) + tally.status(503)).toBe(8);
    // Opened once; every later opening followed a half-open probe that failed.
    const failing = delta(transitions('chaos.chat'), moves);
    expect(failing.open).toBeGreaterThanOrEqual(1);
    expect(failing.half_open ?? 0).toBe(failing.open! - 1);
    expect(failing.closed).toBeUndefined();
    // Each 503 is one call the open breaker rejected (a rejected call is not retried).
    const called = delta(calls(), callsBefore);
    expect(called.rejected).toBe(tally.status(503));
    expect(called.success).toBeUndefined();

    ollama.faults.clear();
    const cleared = performance.now();
    let probe = 0;
    await waitFor(
      'a probe to get through and close the breaker',
      async () => {
        const answer = await tally.send(url, '/v1/chat', chat(`probe ${probe++}`));
        return answer?.status === 200 ? true : undefined;
      },
      5000,
      20,
    );
    figures.breakerClosedAfterMs = Math.round(performance.now() - cleared);
    const recovered = delta(transitions('chaos.chat'), moves);
    expect(recovered).toEqual({ open: failing.open, half_open: failing.open, closed: 1 });
    expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'chaos.chat' })).toBe(0);
    expectNothingLost(tally);
    await expectRequestsCounted(tally, requests);
  });

  it('Ollama slower than the deadline: 504s, then the embed breaker opens; other operations unaffected', async () => {
    const tally = new Tally();
    const requests = requestCounts();
    const moves = transitions('chaos.embed');
    ollama.faults.set({ addedLatencyMs: 2000, paths: ['/api/embed'] });
    const started = performance.now();
    for (let i = 0; i < 6; i++) {
      await tally.send(url, '/v1/embed', { model: 'nomic-embed-text', input: `slow ${i}` });
    }
    // A timeout is not retried: three 504s, each after the whole deadline, open the breaker and the rest
    // fail fast (503). On a machine slow enough for halfOpenAfterMs to pass meanwhile, a probe goes through
    // and times out too (one more 504, one more opening).
    const slow = delta(transitions('chaos.embed'), moves);
    const probes = slow.half_open ?? 0;
    expect(slow).toEqual(probes === 0 ? { open: 1 } : { open: 1 + probes, half_open: probes });
    expect(tally.byStatus).toEqual({ '/v1/embed 504': 3 + probes, '/v1/embed 503': 3 - probes });
    expect(performance.now() - started).toBeLessThan((3 + probes) * 400 + 1000);
    // Chat has a breaker of its own: still answering.
    expect((await tally.send(url, '/v1/chat', chat('chat while embed is slow')))?.status).toBe(200);
    ollama.faults.clear();
    let probe = 0;
    await waitFor(
      'the embed breaker to close again',
      async () => {
        const answer = await tally.send(url, '/v1/embed', {
          model: 'nomic-embed-text',
          input: `probe ${probe++}`,
        });
        return answer?.status === 200 ? true : undefined;
      },
      5000,
      20,
    );
    expect(delta(transitions('chaos.embed'), moves)).toEqual({
      open: 1 + probes,
      half_open: 1 + probes,
      closed: 1,
    });
    expectNothingLost(tally);
    await expectRequestsCounted(tally, requests);
  });

  it('streams breaking off (dropped, error line, cut-off chunk, stalled): each counted by outcome', async () => {
    const tally = new Tally();
    const requests = requestCounts();
    const outcomes = streamOutcomes();
    const faults = [
      { dropAfterChunks: 2 },
      { errorLineAfterChunks: 2 },
      { malformedAfterChunks: 2 },
      { stallAfterChunks: 2 },
    ];
    for (const fault of faults) {
      // Every other stream fails (the 1st, 3rd…), so the breaker never sees three failures in a row.
      ollama.faults.set({ ...fault, errorRate: 0.5, paths: ['/api/generate'] });
      for (let i = 0; i < 4; i++) {
        await tally.send(url, '/v1/generate', {
          model: 'llama3.2',
          prompt: `stream ${Object.keys(fault)[0]} ${i}`,
          stream: true,
        });
      }
    }
    // Every stream started (200), and the client saw how each ended: a `done` line or an error line.
    expect(tally.byStatus).toEqual({ '/v1/generate 200': 16 });
    expect(tally.streams).toEqual({ done: 8, error_line: 8, cut_off: 0 });
    expect(delta(streamOutcomes(), outcomes)).toEqual({
      '/v1/generate completed': 8,
      '/v1/generate failed': 6, // dropped, error line, cut-off chunk
      '/v1/generate idle_timeout': 2, // stalled past streamIdleTimeoutMs
    });
    expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'chaos.generate' })).toBe(0);
    expectNothingLost(tally);
    await expectRequestsCounted(tally, requests);
  });

  it('a client leaving mid-stream is counted as client_left, and its Ollama call ends', async () => {
    const outcomes = streamOutcomes();
    ollama.faults.set({ stallAfterChunks: 2, paths: ['/api/chat'] });
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/chat`, {
      method: 'POST',
      body: JSON.stringify({ ...chat('I will not wait'), stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read(); // the first chunk, then the client leaves
    controller.abort();
    await waitFor(
      'the stream to be counted as client_left',
      async () => (delta(streamOutcomes(), outcomes)['/v1/chat client_left'] === 1 ? true : undefined),
      2000,
      10,
    );
    await waitFor(
      'its Ollama call to end',
      async () => (ollama.stats.active === 0 ? true : undefined),
      2000,
      10,
    );
  });

  it('Redis frozen (SIGSTOP): answers from Ollama, every lookup a counted error; thawed, hits again', async () => {
    const tally = new Tally();
    const requests = requestCounts();
    const known = chat('a question asked before the freeze');
    expect((await tally.send(url, '/v1/chat', known))?.headers.get('x-cache')).toBe('miss');
    await waitFor('the answer to be in Redis', async () => {
      const again = await tally.send(url, '/v1/chat', known);
      return again?.headers.get('x-cache') === 'hit' ? true : undefined;
    });
    const errors = cacheErrors();
    const misses = metricRegistry().value(CATALOG.cacheMisses, { cache_name: CACHE }) ?? 0;
    const before = tally.sent;

    redis.pause();
    const frozen = performance.now();
    const during = [];
    for (let i = 0; i < 20; i++) {
      during.push(tally.send(url, '/v1/chat', i % 2 === 0 ? known : chat(`asked while frozen ${i}`)));
      // Paced in real time (200 ms in all): the Redis process is really frozen, its client's timeouts real.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const answers = await Promise.all(during);
    figures.frozenAnswersMs = Math.round(performance.now() - frozen);
    expect(answers.map((answer) => answer?.status)).toEqual(Array(20).fill(200));
    expect(answers.map((answer) => answer?.headers.get('x-cache'))).toEqual(Array(20).fill('miss'));
    const health = await cacheHealth();
    expect(health).toMatchObject({ status: 'degraded', connected: false, overall: 'degraded' });
    // Every lookup failed (the first ones after commandTimeoutMs, the rest at once) and read as a miss.
    const grown = delta(cacheErrors(), errors);
    expect(grown.get).toBe(20);
    expect(grown.set).toBeGreaterThan(0);
    expect((metricRegistry().value(CATALOG.cacheMisses, { cache_name: CACHE }) ?? 0) - misses).toBe(20);
    // A frozen Redis costs a request about commandTimeoutMs (150 ms), never a hang (slack for a busy machine).
    expect(Math.max(...answers.map((answer) => answer!.ms))).toBeLessThan(600);

    redis.resume();
    const thawed = performance.now();
    await waitFor(
      'a hit again',
      async () =>
        (await tally.send(url, '/v1/chat', known))?.headers.get('x-cache') === 'hit' ? true : undefined,
      5000,
      20,
    );
    figures.hitAgainAfterThawMs = Math.round(performance.now() - thawed);
    // /health reuses a report for up to a second (maxAgeMs).
    await waitFor('/health to show Redis connected', async () =>
      (await cacheHealth()).connected ? true : undefined,
    );
    figures.frozen = { sent: tally.sent - before, byCache: tally.byCache };
    expectNothingLost(tally);
    await expectRequestsCounted(tally, requests);
  });

  it('Redis killed under mixed load while Ollama fails 1 in 4 (500s, dropped connections, error lines): nothing lost, all counted; restarted, hits again', async () => {
    const tally = new Tally();
    const requests = requestCounts();
    const outcomes = streamOutcomes();
    const errors = cacheErrors();
    ollama.faults.set({ errorStatus: 500, errorRate: 0.25 });
    let running = true;
    const load = (async () => {
      for (let i = 0; running; i++) {
        const shared = `mixed ${i % 5}`;
        const prompt = i % 3 === 0 ? `mixed one-off ${i}` : shared;
        const kind = i % 4;
        void tally.send(
          url,
          kind === 0 ? '/v1/embed' : kind === 1 ? '/v1/generate' : '/v1/chat',
          kind === 0
            ? { model: 'nomic-embed-text', input: prompt }
            : kind === 1
              ? { model: 'llama3.2', prompt, stream: i % 8 === 1 }
              : chat(prompt),
        );
        // Load paced in real time, against a real Redis that is killed under it.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await waitFor('some hits', async () => ((tally.byCache.hit ?? 0) >= 10 ? true : undefined));
    await redis.stop(); // SIGKILL
    const killed = performance.now();
    ollama.faults.set({ dropAfterChunks: 1, errorRate: 0.25 });
    await waitFor('cache_errors_total to grow', async () =>
      sum(delta(cacheErrors(), errors)) >= 20 ? true : undefined,
    );
    expect(await cacheHealth()).toMatchObject({ status: 'degraded', connected: false });
    const hitsWhileDown = tally.byCache.hit ?? 0;
    await redis.restart();
    const restarted = performance.now();
    ollama.faults.set({ errorLineAfterChunks: 1, errorRate: 0.25 });
    figures.redisDownMs = Math.round(restarted - killed);
    await waitFor(
      'hits again after the restart',
      async () => ((tally.byCache.hit ?? 0) >= hitsWhileDown + 10 ? true : undefined),
      10_000,
      20,
    );
    figures.hitsAgainAfterRestartMs = Math.round(performance.now() - restarted);
    running = false;
    await load;
    await tally.settled();
    figures.mixed = {
      sent: tally.sent,
      answered: tally.answered,
      byStatus: tally.byStatus,
      byCache: tally.byCache,
      streams: tally.streams,
      cacheErrors: delta(cacheErrors(), errors),
      streamOutcomes: delta(streamOutcomes(), outcomes),
      ollamaFaulted: ollama.stats.faulted,
    };

    expectNothingLost(tally);
    // Only what the policy says a failing Ollama gets: 502 (retried, failed again) or 503 (breaker open).
    const statuses = new Set(Object.keys(tally.byStatus).map((key) => key.split(' ')[1]));
    expect([...statuses].every((status) => ['200', '502', '503'].includes(status!))).toBe(true);
    await expectRequestsCounted(tally, requests);
    // Every stream that started (200) ended in exactly one outcome, the one its client saw.
    const ended = delta(streamOutcomes(), outcomes);
    const streamed = tally.streams.done + tally.streams.error_line + tally.streams.cut_off;
    expect(sum(ended)).toBe(streamed);
    expect(ended['/v1/generate completed'] ?? 0).toBe(tally.streams.done);
    expect((ended['/v1/generate failed'] ?? 0) + (ended['/v1/generate idle_timeout'] ?? 0)).toBe(
      tally.streams.error_line,
    );
    expect(tally.streams.cut_off).toBe(0);
    await waitFor('/health to show Redis connected', async () =>
      (await cacheHealth()).connected ? true : undefined,
    );
  }, 30_000);
});
