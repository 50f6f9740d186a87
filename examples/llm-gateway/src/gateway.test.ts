/**
 * The gateway against a real fake Ollama on loopback: routes, validation, the cache, the breaker, timeouts,
 * metrics and health, through HTTP as a client sees them.
 */
import { CATALOG, metricRegistry, prometheusName } from '@sightglass/core';
import type { FakeOllama } from '@sightglass/fake-ollama';
import { startTelemetry, type Telemetry } from '@sightglass/node';
import {
  freePort,
  parseExposition,
  promtoolBinary,
  promtoolCheckMetrics,
  SPEC_METRICS,
  waitFor,
} from '@sightglass/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { commonRequests } from './common-prompts.js';
import type { Gateway } from './gateway.js';
import { startTestGateway, startTestOllama } from './test-support/fixture.js';
import { chat, get, post } from './test-support/http.js';

/** How long a wait for a request to reach the fake Ollama, or to leave it, may take on a loaded machine. */
const SOON = { timeout: 5_000, interval: 5 };

/** The chat calls the fake Ollama has received (arrivals only ever add up). */
const chatsAtOllama = () => ollama.stats.byRoute['POST /api/chat'] ?? 0;

let telemetry: Telemetry;
const breakerState = (name: string) =>
  metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: name });

/** Waits until `condition` holds, polling every 10 ms for at most two seconds. */
const until = (what: string, condition: () => boolean) =>
  waitFor(what, async () => (condition() ? true : undefined), 2000, 10);
let ollama: FakeOllama;

beforeAll(async () => {
  telemetry = await startTelemetry({ prometheus: { server: false }, runtimeMetrics: false });
  ollama = await startTestOllama();
});

afterAll(async () => {
  await ollama?.close();
  await telemetry?.shutdown();
});

afterEach(() => ollama.faults.clear());

describe('the API', () => {
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    ({ gateway, url } = await startTestGateway('api', ollama.url, { maxBodyBytes: 16_384 }));
  });
  afterAll(() => gateway?.close());

  it('answers a chat from Ollama, then the same chat from the cache', async () => {
    const hits = () => metricRegistry().value(CATALOG.cacheHits, { cache_name: 'api_responses' }) ?? 0;
    const before = hits();
    const first = await post(url, '/v1/chat', chat('Why is the sky blue?'));
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.json).toMatchObject({ model: 'llama3.2', message: { role: 'assistant' }, done: true });

    const second = await post(url, '/v1/chat', chat('Why is the sky blue?'));
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(hits()).toBe(before + 1);
  });

  it('serves generate and embed, and treats a model without a tag as :latest', async () => {
    const generated = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'Name a colour.' });
    expect(generated.status).toBe(200);
    expect(generated.json).toMatchObject({ response: expect.any(String), done: true });
    const tagged = await post(url, '/v1/generate', { model: 'llama3.2:latest', prompt: 'Name a colour.' });
    expect(tagged.headers.get('x-cache')).toBe('hit');

    const embedded = await post(url, '/v1/embed', { model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(embedded.status).toBe(200);
    expect((embedded.json as { embeddings: number[][] }).embeddings).toHaveLength(2);
  });

  it.each([
    ['/v1/chat', { messages: [{ role: 'user', content: 'hi' }] }, 'model is required'],
    ['/v1/chat', { model: 'llama3.2' }, 'messages is required'],
    ['/v1/chat', { model: 'llama3.2', messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role'],
    ['/v1/chat', { ...chat('hi'), stream: 'yes' }, 'stream must be true or false'],
    ['/v1/embed', { model: 'nomic-embed-text', input: 'x', stream: true }, 'unknown field "stream"'],
    ['/v1/chat', { ...chat('hi'), temperature: 0 }, 'unknown field "temperature"'],
    ['/v1/generate', { model: 'llama3.2', prompt: '' }, 'prompt is required'],
    ['/v1/generate', { model: 'llama3.2', prompt: 'hi', options: { stop: [1] } }, 'options.stop'],
    ['/v1/embed', { model: 'nomic-embed-text', input: [] }, 'input is required'],
    ['/v1/embed', { model: 'nomic-embed-text', input: 'x', dimensions: 0 }, 'dimensions'],
    ['/v1/embed', [1, 2], 'must be a JSON object'],
  ])('answers 400 invalid_request for a bad body on %s (%#)', async (path, body, message) => {
    const response = await post(url, path, body);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ error: { code: 'invalid_request' } });
    expect((response.json as { error: { message: string } }).error.message).toContain(message);
  });

  it('streams a chat as Ollama does, one NDJSON line per chunk, past the cache', async () => {
    const firstChunks = () =>
      metricRegistry()
        .snapshot()
        .find(({ definition }) => definition === CATALOG.genAiClientTimeToFirstChunk)
        ?.series.reduce((sum, { value }) => sum + value, 0) ?? 0;
    const before = firstChunks();
    for (const round of ['first', 'second']) {
      const response = await post(url, '/v1/chat', { ...chat('Stream me a story'), stream: true });
      expect(response.status, round).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-ndjson');
      expect(response.headers.get('x-cache')).toBe('bypass');
      const lines = response.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.length).toBeGreaterThan(2);
      expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
      expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
    }
    const generated = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'Count', stream: true });
    expect(generated.text.trimEnd().split('\n').at(-1)).toContain('"done":true');
    expect(firstChunks()).toBe(before + 3); // time to first chunk is measured on streams
  });

  it('ends a stream that breaks after it started with an error line, and counts it as the failure it is', async () => {
    const streams = (outcome: string) =>
      metricRegistry().value(CATALOG.responseStreams, { route: '/v1/chat', outcome }) ?? 0;
    const failures = () =>
      metricRegistry().value(CATALOG.circuitBreakerFailures, { breaker_name: 'api.chat' }) ?? 0;
    const [failedBefore, completedBefore, failuresBefore] = [
      streams('failed'),
      streams('completed'),
      failures(),
    ];
    ollama.faults.set({ dropAfterChunks: 2 });
    const response = await post(url, '/v1/chat', { ...chat('Break halfway'), stream: true });
    expect(response.status).toBe(200);
    const lines = response.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.slice(0, 2).every((line) => line.done === false)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ error: expect.stringContaining('the stream from Ollama failed') });
    // Its status was 200, but the breaker and the stream counter know it broke off.
    await until('the failed stream to reach the breaker', () => failures() === failuresBefore + 1);
    expect(streams('failed')).toBe(failedBefore + 1);
    ollama.faults.clear();
    await post(url, '/v1/chat', { ...chat('Whole this time'), stream: true });
    expect(streams('completed')).toBe(completedBefore + 1);
    expect(failures()).toBe(failuresBefore + 1);
  });

  it('answers 400 invalid_json for a body that is not JSON, and 413 for one too large', async () => {
    const broken = await post(url, '/v1/chat', '{"model": ');
    expect(broken.status).toBe(400);
    expect(broken.json).toMatchObject({ error: { code: 'invalid_json' } });
    const empty = await post(url, '/v1/chat', '');
    expect((empty.json as { error: { message: string } }).error.message).toContain('empty');

    const large = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'x'.repeat(20_000) });
    expect(large.status).toBe(413);
    expect(large.json).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('answers 404 for an unknown path and 405 for a wrong method, in JSON', async () => {
    const unknown = await get(url, '/v1/unknown');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 'not_found' } });
    const wrongMethod = await get(url, '/v1/chat');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const postMetrics = await post(url, '/metrics', {});
    expect(postMetrics.status).toBe(405);
    expect(postMetrics.headers.get('allow')).toBe('GET, HEAD');
  });

  it("passes Ollama's 404 for an unknown model on, without counting it against the breaker", async () => {
    const failures = () =>
      metricRegistry().value(CATALOG.circuitBreakerFailures, { breaker_name: 'api.chat' }) ?? 0;
    const before = failures();
    for (let attempt = 0; attempt < 6; attempt++) {
      const response = await post(url, '/v1/chat', chat('hi', 'no-such-model'));
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ error: { code: 'model_not_found' } });
    }
    expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'api.chat' })).toBe(0);
    expect(failures()).toBe(before);
  });

  it('serves the spec metrics at /metrics under their catalog names, as a valid exposition', async () => {
    await post(url, '/v1/chat', chat('metrics, please'));
    const response = await get(url, '/metrics');
    expect(response.status).toBe(200);
    const families = parseExposition(response.text);
    for (const [name, type, labels] of SPEC_METRICS) {
      const family = families.get(name);
      expect(family?.type, name).toBe(type);
      expect(Object.keys(family?.samples[0]?.labels ?? {}), name).toEqual(
        expect.arrayContaining([...labels]),
      );
    }
    const requests = families.get(prometheusName(CATALOG.requests))!.samples;
    expect(requests).toContainEqual(
      expect.objectContaining({
        labels: expect.objectContaining({ method: 'POST', route: '/v1/chat', status: '200' }),
      }),
    );
    // Scrapes and probes are not counted; unknown paths are counted under one label, never the raw path.
    const routes = new Set(requests.map((sample) => sample.labels.route));
    expect(routes.has('/metrics')).toBe(false);
    expect(routes.has('/v1/unknown')).toBe(false);
    expect(families.get(prometheusName(CATALOG.circuitBreakerState))!.samples).toContainEqual(
      expect.objectContaining({ labels: expect.objectContaining({ breaker_name: 'api.chat' }), value: 0 }),
    );
    // No prompt text ever reaches a label.
    expect(response.text).not.toContain('metrics, please');
    const promtool = promtoolBinary();
    if (promtool !== undefined) expect(promtoolCheckMetrics(promtool, response.text)).toEqual([]);
  });

  it('reports the breaker, the pool and the cache at /health, and answers /livez and /readyz', async () => {
    const health = await get(url, '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'healthy',
      circuit_breakers: { 'api.chat': { status: 'healthy', details: { state: 'closed' } } },
      connection_pool: { api: { status: 'healthy' } },
      cache: { api_responses: { status: 'healthy' } },
    });
    expect((await get(url, '/livez')).json).toMatchObject({ status: 'ok' });
    expect((await get(url, '/readyz')).status).toBe(200);
    expect((await get(url, '/health', 'HEAD')).text).toBe('');
  });
});

describe('when Ollama fails', () => {
  let gateway: Gateway;
  let url: string;
  const state = () =>
    metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'failing.generate' });

  beforeAll(async () => {
    ({ gateway, url } = await startTestGateway('failing', ollama.url, {
      policy: { timeoutMs: 1000, halfOpenAfterMs: 400, breakerFailures: 3, retries: 1, retryDelayMs: 10 },
    }));
  });
  afterAll(() => gateway?.close());

  it('answers 502 for Ollama errors, then opens the breaker and fails fast with 503 and retry-after', async () => {
    ollama.faults.set({ errorStatus: 500 });
    const first = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'fail 1' });
    expect(first.status).toBe(502);
    expect(first.json).toMatchObject({ error: { code: 'upstream_error' } });
    // The retry counts as a second failure: the third consecutive one opens the breaker.
    await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'fail 2' });
    expect(state()).toBe(1);

    const sent = ollama.stats.byRoute['POST /api/generate'] ?? 0;
    const rejected = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'fail 3' });
    expect(rejected.status).toBe(503);
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect(rejected.json).toMatchObject({ error: { code: 'circuit_open' } });
    expect(ollama.stats.byRoute['POST /api/generate'] ?? 0).toBe(sent); // the breaker did not call Ollama

    // An open breaker degrades the service; it never fails liveness.
    const health = await get(url, '/health');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'degraded',
      circuit_breakers: { 'failing.generate': { details: { state: 'open' } } },
    });
    expect((await get(url, '/livez')).status).toBe(200);
  });

  it('closes the breaker again once Ollama answers and the half-open probe succeeds', async () => {
    ollama.faults.clear();
    // The breaker reads Date for its half-open time (400 ms): moved on, not waited for.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.advanceTimersByTime(450);
      const probe = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'back again' });
      expect(probe.status).toBe(200);
      expect(state()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('answers 504 when Ollama does not answer within the timeout, and its metrics say timeout', async () => {
    const timeouts = () =>
      metricRegistry()
        .snapshot()
        .find((entry) => entry.definition === CATALOG.genAiClientOperationDuration)
        ?.series.filter((series) => series.attributes['error.type'] === 'timeout')
        .reduce((sum, series) => sum + series.value, 0) ?? 0;
    const before = timeouts();
    ollama.faults.set({ addedLatencyMs: 10_000 });
    const response = await post(url, '/v1/chat', chat('slow'));
    expect(response.status).toBe(504);
    await until('the cut-off call to be recorded as a timeout', () => timeouts() === before + 1);
    expect(response.json).toMatchObject({ error: { code: 'upstream_timeout' } });
    expect(response.ms).toBeGreaterThanOrEqual(950); // the gateway's 1000 ms timeout, not an earlier cut
    ollama.faults.clear();
    expect((await post(url, '/v1/chat', chat('fast again'))).status).toBe(200);
  });

  it('answers 504 when a stream does not start within the timeout, and streams once Ollama is back', async () => {
    ollama.faults.set({ addedLatencyMs: 10_000 });
    const response = await post(url, '/v1/chat', { ...chat('slow stream'), stream: true });
    expect(response.status).toBe(504);
    expect(response.json).toMatchObject({ error: { code: 'upstream_timeout' } });
    ollama.faults.clear();
    const streamed = await post(url, '/v1/chat', { ...chat('fast stream'), stream: true });
    expect(streamed.text.trimEnd().split('\n').at(-1)).toContain('"done":true');
  });

  it('retries a failure that came fast, and answers 200 when the retry succeeds', async () => {
    const retries = () => metricRegistry().value(CATALOG.retryAttempts, { policy_name: 'failing' }) ?? 0;
    const before = retries();
    ollama.faults.set({ errorStatus: 500, errorRate: 0.5 }); // the 1st, 3rd, 5th… requests fail
    const response = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'flaky' });
    expect(response.status).toBe(200);
    expect(retries()).toBe(before + 1);
  });

  it("answers 503 upstream_busy when Ollama's queue is full", async () => {
    ollama.faults.set({ errorStatus: 503 });
    const response = await post(url, '/v1/embed', { model: 'nomic-embed-text', input: 'busy' });
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ error: { code: 'upstream_busy' } });
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

describe('a gateway with every slot to Ollama taken', () => {
  it('refuses a call beyond its bulkhead at once with 503 overloaded, and counts it', async () => {
    const { gateway, url } = await startTestGateway('narrow', ollama.url, {
      policy: { maxConcurrent: 1, maxQueued: 0 },
    });
    try {
      ollama.faults.set({ addedLatencyMs: 300 });
      const before = chatsAtOllama();
      const first = post(url, '/v1/chat', chat('first in'));
      await vi.waitFor(() => expect(chatsAtOllama()).toBeGreaterThan(before), SOON); // it holds the one slot
      const refused = await post(url, '/v1/chat', chat('no room'));
      const slow = await first;
      expect(slow.status).toBe(200);
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ error: { code: 'overloaded' } });
      expect(metricRegistry().value(CATALOG.bulkheadRejections, { policy_name: 'narrow' })).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('the policy protects each path to Ollama and bounds every wait', () => {
  const breakerState = (name: string) =>
    metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: name });

  it('opens the breaker of a stalled operation while a healthy one goes on answering', async () => {
    const { gateway, url } = await startTestGateway('mixed', ollama.url, {
      policy: { timeoutMs: 300, breakerFailures: 3, retries: 0 },
    });
    try {
      ollama.faults.set({ paths: ['/api/chat', '/api/generate'], addedLatencyMs: 10_000 });
      const embeds: number[] = [];
      // Interleaved, as mixed traffic is: each embed success would reset one shared consecutive count.
      for (let i = 0; i < 4; i++) {
        const [stalled, healthy] = await Promise.all([
          post(url, '/v1/chat', chat(`stalled ${i}`)),
          post(url, '/v1/embed', { model: 'nomic-embed-text', input: `healthy ${i}` }),
        ]);
        expect([504, 503]).toContain(stalled.status);
        embeds.push(healthy.status);
      }
      expect(embeds).toEqual([200, 200, 200, 200]);
      expect(breakerState('mixed.chat')).toBe(1);
      expect(breakerState('mixed.embed')).toBe(0);
      const sent = ollama.stats.byRoute['POST /api/chat'] ?? 0;
      const rejected = await post(url, '/v1/chat', chat('fails fast'));
      expect(rejected.json).toMatchObject({ error: { code: 'circuit_open' } });
      expect(ollama.stats.byRoute['POST /api/chat'] ?? 0).toBe(sent); // rejected without calling Ollama
    } finally {
      await gateway.close();
    }
  });

  it('keeps the queue moving when the calls ahead of it left, and does not blame Ollama for a queue', async () => {
    const { gateway, url } = await startTestGateway('saturated', ollama.url, {
      policy: { timeoutMs: 400, breakerFailures: 2, retries: 0, maxConcurrent: 1, maxQueued: 10 },
    });
    try {
      // One slow call holds the only slot; two chats queue behind it and run out of time mostly waiting.
      ollama.faults.set({ paths: ['/api/chat'], addedLatencyMs: 300 });
      const answers = await Promise.all([0, 1, 2].map((i) => post(url, '/v1/chat', chat(`busy ${i}`))));
      expect(answers[0]?.status).toBe(200);
      // The breaker counted none of the waits in the queue against Ollama.
      expect(breakerState('saturated.chat')).toBe(0);
      ollama.faults.clear();
      // The slot is free and the queue is not stalled behind entries that left it.
      // (A stalled queue would hold it past its 400 ms deadline: a 504, not an answer.)
      const after = await post(url, '/v1/embed', { model: 'nomic-embed-text', input: 'next' });
      expect(after.status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it("bounds a caller's whole wait by the timeout, time queued for a slot included", async () => {
    const { gateway, url } = await startTestGateway('queued', ollama.url, {
      policy: { timeoutMs: 400, breakerFailures: 100, retries: 0, maxConcurrent: 1, maxQueued: 10 },
    });
    try {
      ollama.faults.set({ addedLatencyMs: 10_000 });
      const answers = await Promise.all([0, 1, 2].map((i) => post(url, '/v1/chat', chat(`queued ${i}`))));
      for (const answer of answers) {
        expect(answer.json).toMatchObject({ error: { code: 'upstream_timeout' } });
        // One timeout each, not one per call queued ahead of it (400, 800, 1200 ms).
        expect(answer.ms).toBeLessThan(750);
      }
    } finally {
      await gateway.close();
    }
  });

  it('rejects the calls waiting for a slot as soon as their breaker opens, without sending them to Ollama', async () => {
    const { gateway, url } = await startTestGateway('drained', ollama.url, {
      policy: { timeoutMs: 400, breakerFailures: 1, retries: 0, maxConcurrent: 1, maxQueued: 10 },
    });
    try {
      ollama.faults.set({ addedLatencyMs: 10_000 });
      ollama.resetStats();
      const first = post(url, '/v1/chat', chat('holds the slot'));
      // A real wait, part of what is asserted: the waiting calls come 150 ms after the first, so the breaker
      // opening at its deadline (400 ms) rejects them well before their own deadline.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const waiting = await Promise.all([0, 1].map((i) => post(url, '/v1/chat', chat(`waiting ${i}`))));
      expect((await first).json).toMatchObject({ error: { code: 'upstream_timeout' } });
      for (const answer of waiting) {
        // Rejected when the first call's failure opened the breaker (~250 ms after they came): at their own
        // deadline (400 ms) they would have timed out instead.
        expect(answer.json).toMatchObject({ error: { code: 'circuit_open' } });
      }
      expect(ollama.stats.byRoute['POST /api/chat']).toBe(1);
    } finally {
      await gateway.close();
    }
  });
});

describe('streams that fail after they started', () => {
  it('open the breaker when they keep failing, and a stream that stalls is ended after the idle timeout', async () => {
    const { gateway, url } = await startTestGateway('streams', ollama.url, {
      policy: { breakerFailures: 2, retries: 0, timeoutMs: 2000, streamIdleTimeoutMs: 200 },
    });
    const streams = (outcome: string) =>
      metricRegistry().value(CATALOG.responseStreams, { route: '/v1/chat', outcome }) ?? 0;
    try {
      ollama.faults.set({ stallAfterChunks: 2 });
      const stalled = await post(url, '/v1/chat', { ...chat('stalls'), stream: true });
      expect(stalled.status).toBe(200);
      expect(stalled.text.trimEnd().split('\n').at(-1)).toContain('sent nothing for 200 ms');
      expect(streams('idle_timeout')).toBe(1);
      ollama.faults.set({ errorLineAfterChunks: 1 });
      await post(url, '/v1/chat', { ...chat('error line'), stream: true });
      await until('the breaker to open', () => breakerState('streams.chat') === 1);
      const rejected = await post(url, '/v1/chat', { ...chat('after'), stream: true });
      expect(rejected.json).toMatchObject({ error: { code: 'circuit_open' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('clients that leave', () => {
  it('never count against Ollama: the breaker stays closed when streams are abandoned before they start', async () => {
    const { gateway, url } = await startTestGateway('impatient', ollama.url, {
      policy: { breakerFailures: 1, timeoutMs: 2000, retries: 0 },
    });
    try {
      ollama.faults.set({ addedLatencyMs: 600 });
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        const before = chatsAtOllama();
        const request = fetch(`${url}/v1/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...chat(`leaving ${i}`), stream: true }),
          signal: controller.signal,
        }).catch((error: unknown) => error);
        await vi.waitFor(() => expect(chatsAtOllama()).toBeGreaterThan(before), SOON); // it reached Ollama
        controller.abort();
        expect(await request).toMatchObject({ name: 'AbortError' });
      }
      // The gateway gave the calls up: nothing of them is left at Ollama.
      await vi.waitFor(() => expect(ollama.stats.active).toBe(0), SOON);
      expect(metricRegistry().value(CATALOG.circuitBreakerState, { breaker_name: 'impatient.chat' })).toBe(0);
      expect(metricRegistry().value(CATALOG.circuitBreakerFailures, { breaker_name: 'impatient.chat' })).toBe(
        0,
      );
      ollama.faults.clear();
      expect((await post(url, '/v1/chat', { ...chat('still here'), stream: true })).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('a gateway in front of nothing', () => {
  it('answers 502 upstream_unreachable', async () => {
    const port = await freePort();
    const { gateway, url } = await startTestGateway('nowhere', `http://127.0.0.1:${port}`, {
      policy: { retries: 0 },
    });
    try {
      const response = await post(url, '/v1/chat', chat('anyone?'));
      expect(response.status).toBe(502);
      expect(response.json).toMatchObject({ error: { code: 'upstream_unreachable' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('warm-up and shutdown', () => {
  it('holds /readyz until the common answers are cached, then serves them from the cache', async () => {
    const { gateway, url } = await startTestGateway('warm', ollama.url);
    try {
      ollama.faults.set({ addedLatencyMs: 300 });
      const models = { model: 'llama3.2', embedModel: 'nomic-embed-text' };
      const warming = gateway.warm(commonRequests(models, ['Where is my parcel?']));
      const notReady = await get(url, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.json).toMatchObject({ status: 'not_ready', reasons: ['cache warm_responses'] });

      expect(await warming).toMatchObject({ loaded: 3, failed: 0 });
      expect((await get(url, '/readyz')).status).toBe(200);
      ollama.faults.clear();
      const answer = await post(url, '/v1/generate', { model: 'llama3.2', prompt: 'Where is my parcel?' });
      expect(answer.headers.get('x-cache')).toBe('hit');
    } finally {
      await gateway.close();
    }
  });

  it('lets a request in flight finish within the grace period, and releases its names', async () => {
    const { gateway, url } = await startTestGateway('closing', ollama.url, { closeGraceMs: 1000 });
    ollama.faults.set({ addedLatencyMs: 200 });
    const before = chatsAtOllama();
    const inFlight = post(url, '/v1/chat', chat('last one'));
    await vi.waitFor(() => expect(chatsAtOllama()).toBeGreaterThan(before), SOON); // it reached Ollama
    await gateway.close();
    expect((await inFlight).status).toBe(200);
    // Everything was disposed: the same names can be used again.
    const again = await startTestGateway('closing', ollama.url);
    await again.gateway.close();
  });

  it("answers a request still waiting on Ollama when the grace period ends with 502, it doesn't drop it", async () => {
    const { gateway, url } = await startTestGateway('impatient', ollama.url, { closeGraceMs: 100 });
    ollama.faults.set({ addedLatencyMs: 5000 });
    const before = chatsAtOllama();
    const inFlight = post(url, '/v1/chat', chat('too slow'));
    await vi.waitFor(() => expect(chatsAtOllama()).toBeGreaterThan(before), SOON); // it reached Ollama
    await gateway.close();
    const response = await inFlight;
    expect(response.status).toBe(502);
  });
});
