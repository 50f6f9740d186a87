import { CATALOG, type HealthCheckResult, healthRegistry, metricRegistry } from '@sightglass/core';
import { executeWithSignal } from '@sightglass/resilience';
import { TaskCancelledError, TimeoutStrategy, timeout } from 'cockatiel';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { client, collect, eventually, fakeOllama, poolSeries } from './test-support/servers.js';

const chat = { model: 'llama3.2', messages: [{ role: 'user', content: 'Count the connections' }] };

function genAiSeries(name: string, match: Record<string, unknown>) {
  const metric = metricRegistry()
    .snapshot()
    .find((snapshot) => snapshot.definition.name === name);
  return (metric?.series ?? []).filter((series) =>
    Object.entries(match).every(([key, value]) => series.attributes[key] === value),
  );
}

describe('pool metrics', () => {
  it('reports active, utilization, idle, max, pending, opened and closed from the pool', async () => {
    const server = await fakeOllama({ tokensPerSecond: 50, parallel: 8 });
    const ollama = client({ host: server.url, name: 'pool-metrics', connections: 4 });
    expect(poolSeries('pool-metrics')).toMatchObject({
      active: 0,
      utilization: 0,
      idle: 0,
      max: 4,
      pending: 0,
    });
    const streams = await Promise.all(
      Array.from({ length: 4 }, () => ollama.chat({ ...chat, stream: true })),
    );
    const queued = ollama.chat(chat); // a fifth waits for a connection
    await eventually(() =>
      expect(poolSeries('pool-metrics')).toMatchObject({
        active: 4,
        utilization: 100,
        pending: 1,
        opened: 4,
      }),
    );
    for (const stream of streams) stream.abort();
    await queued;
    await eventually(() => expect(poolSeries('pool-metrics')).toMatchObject({ active: 0, utilization: 0 }));
    const after = poolSeries('pool-metrics');
    expect(after.idle).toBeGreaterThanOrEqual(1);
    expect(after.closed).toBeGreaterThanOrEqual(4); // the aborted streams' connections were closed
    await ollama.close();
    expect(poolSeries('pool-metrics').max).toBeUndefined(); // disposed: the series are gone
  });

  it('counts connection errors and reports them in the health check', async () => {
    const server = await fakeOllama();
    const url = server.url;
    await server.close();
    const ollama = client({ host: url, name: 'pool-health', retry: false });
    await expect(ollama.list()).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_FAILED' });
    expect(poolSeries('pool-health').errors).toBe(1);
    const check = healthRegistry()
      .list()
      .find((c) => c.component === 'connection_pool' && c.name === 'pool-health');
    const result = (await check?.check()) as HealthCheckResult;
    expect(result.status).toBe('degraded');
    expect(result.details).toMatchObject({
      max_connections: 16,
      active: 0,
      last_error: { code: 'ECONNREFUSED', message: expect.any(String), at: expect.any(String) },
    });
    await ollama.close();
    expect(
      healthRegistry()
        .list()
        .some((c) => c.name === 'pool-health'),
    ).toBe(false);
  });

  it('a healthy pool, default names numbered, and metrics: false', async () => {
    const server = await fakeOllama();
    const first = client({ host: server.url });
    const second = client({ host: server.url });
    expect([first.name, second.name]).toEqual(['ollama', 'ollama_2']);
    await first.version();
    const check = healthRegistry()
      .list()
      .find((c) => c.component === 'connection_pool' && c.name === 'ollama');
    await eventually(async () =>
      expect(await check?.check()).toMatchObject({ status: 'healthy', details: { connected: 1, idle: 1 } }),
    );
    expect(() => client({ host: server.url, name: 'ollama' })).toThrow(/exists already/);
    // Without health checks, names are still unique: two pools never share one series.
    const [third, fourth] = [
      client({ host: server.url, health: false }),
      client({ host: server.url, health: false }),
    ];
    expect([third.name, fourth.name]).toEqual(['ollama_3', 'ollama_4']);
    const quiet = client({ host: server.url, name: 'quiet', metrics: false, health: false });
    await quiet.chat(chat);
    expect(poolSeries('quiet').max).toBeUndefined();
    expect(genAiSeries('gen_ai.client.operation.duration', { 'server.port': String(server.port) })).toEqual(
      [],
    );
  });
});

describe('GenAI metrics', () => {
  it('duration, token usage, time per output token, time to first chunk', async () => {
    const server = await fakeOllama({ tokensPerSecond: 500 });
    const ollama = client({ host: server.url, name: 'genai' });
    const port = String(server.port);
    const reply = await ollama.chat(chat);
    await collect(await ollama.generate({ model: 'llama3.2', prompt: 'x', stream: true }));
    await ollama.embed({ model: 'nomic-embed-text', input: 'a b c' });
    await ollama.chat({ ...chat, model: 'missing' }).catch(() => undefined);
    const base = { 'gen_ai.provider.name': 'ollama', 'server.address': '127.0.0.1', 'server.port': port };
    const durations = genAiSeries('gen_ai.client.operation.duration', base);
    const ops = durations.map((s) => [
      s.attributes['gen_ai.operation.name'],
      s.attributes['gen_ai.request.model'],
      s.attributes['error.type'],
    ]);
    expect(ops).toEqual(
      expect.arrayContaining([
        ['chat', 'llama3.2', undefined],
        ['text_completion', 'llama3.2', undefined],
        ['embeddings', 'nomic-embed-text', undefined],
        ['chat', 'other', '404'], // a model Ollama does not have is never reported by name
      ]),
    );
    const input = genAiSeries('gen_ai.client.token.usage', {
      ...base,
      'gen_ai.operation.name': 'chat',
      'gen_ai.token.type': 'input',
    });
    expect(input[0]?.histogram?.sum).toBe(reply.prompt_eval_count);
    const output = genAiSeries('gen_ai.client.token.usage', {
      ...base,
      'gen_ai.operation.name': 'chat',
      'gen_ai.token.type': 'output',
    });
    expect(output[0]?.histogram?.sum).toBe(reply.eval_count);
    const perToken = genAiSeries('gen_ai.server.time_per_output_token', {
      ...base,
      'gen_ai.operation.name': 'chat',
    });
    expect(perToken[0]?.histogram?.sum).toBeCloseTo(reply.eval_duration / reply.eval_count / 1e9, 6);
    const first = genAiSeries('gen_ai.client.operation.time_to_first_chunk', base);
    expect(first.map((s) => s.attributes['gen_ai.operation.name'])).toEqual(['text_completion']);
    expect(
      genAiSeries('gen_ai.client.token.usage', {
        ...base,
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.token.type': 'output',
      }),
    ).toEqual([]);
  });

  it('failed, aborted and timed-out calls are recorded with error.type; a stream left early is not', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url, name: 'genai-errors' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    server.faults.set({ errorLineAfterChunks: 2 });
    await collect(await ollama.chat({ ...chat, stream: true })).catch(() => undefined);
    server.faults.clear();
    const left = await ollama.chat({ ...chat, stream: true });
    for await (const chunk of left) if (chunk) break; // the caller's choice, not a failure
    const aborted = await ollama.chat({ ...chat, stream: true });
    await collect(
      (async function* () {
        for await (const chunk of aborted) {
          aborted.abort();
          yield chunk;
        }
      })(),
    ).catch(() => undefined);
    await ollama.chat(chat, { timeoutMs: 1 }).catch(() => undefined);
    const series = genAiSeries('gen_ai.client.operation.duration', base);
    const types = series.map((s) => s.attributes['error.type']);
    expect(types.sort()).toEqual(['aborted', 'stream_error', 'timeout']);
    expect(series.reduce((total, s) => total + (s.histogram?.count ?? 0), 0)).toBe(3); // nothing for `left`
    expect(metricRegistry().value(CATALOG.connectionPoolMaxConnections, { pool_name: 'genai-errors' })).toBe(
      16,
    );
  });

  it('names Ollama refused never take a label slot: after 150 of them a real model keeps its name', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-junk' });
    for (let i = 0; i < 150; i++) {
      await expect(ollama.chat({ ...chat, model: `junk-${i}` })).rejects.toMatchObject({ status_code: 404 });
    }
    await ollama.chat({ ...chat, model: 'llama3.2:latest' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    const series = genAiSeries('gen_ai.client.operation.duration', base).map((s) => [
      s.attributes['gen_ai.request.model'],
      s.attributes['error.type'],
      s.histogram?.count,
    ]);
    expect(series).toEqual([
      ['other', '404', 150],
      ['llama3.2:latest', undefined, 1],
    ]);
  });

  it('a model Ollama accepted keeps its name on failures; one it never accepted fails under "other"', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url, name: 'genai-accepted' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'text_completion' };
    server.faults.set({ errorStatus: 503 });
    await ollama.generate({ model: 'llama3.2', prompt: 'x' }).catch(() => undefined); // not accepted yet
    server.faults.set({ stallAfterChunks: 1 });
    // Accepted once its stream began: the stall past timeoutMs is recorded under its name.
    await collect(
      await ollama.generate({ model: 'llama3.2', prompt: 'x', stream: true }, { timeoutMs: 100 }),
    ).catch(() => undefined);
    server.faults.clear();
    const series = genAiSeries('gen_ai.client.operation.duration', base).map((s) => [
      s.attributes['gen_ai.request.model'],
      s.attributes['error.type'],
    ]);
    expect(series).toEqual([
      ['other', '503'],
      ['llama3.2', 'timeout'],
    ]);
  });
});

describe('error.type says what happened', () => {
  async function types(
    run: (
      ollama: ReturnType<typeof client>,
      server: Awaited<ReturnType<typeof fakeOllama>>,
    ) => Promise<unknown>,
    setup = {},
  ) {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url, ...setup });
    await run(ollama, server).catch(() => undefined);
    return genAiSeries('gen_ai.client.operation.duration', { 'server.port': String(server.port) })
      .map((s) => s.attributes['error.type'])
      .filter((type) => type !== undefined);
  }

  it('a connection reset midway through a stream is connection_reset', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-reset' });
    await ollama.chat(chat);
    server.faults.set({ dropAfterChunks: 3 });
    await expect(collect(await ollama.chat({ ...chat, stream: true }))).rejects.toMatchObject({
      code: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_RESET',
    });
    // Not streamed, the drop comes before the answer, but Ollama had the request: a reset too.
    await expect(ollama.chat(chat)).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_CONNECTION_RESET' });
    // The stream had named its answering model (gen_ai.response.model), the other call had not: two series.
    const series = genAiSeries('gen_ai.client.operation.duration', {
      'server.port': String(server.port),
      'error.type': 'connection_reset',
    });
    expect(series.map((s) => s.attributes['gen_ai.response.model']).sort()).toEqual(['llama3.2', undefined]);
    expect(series.reduce((total, s) => total + (s.histogram?.count ?? 0), 0)).toBe(2);
  });

  it('a signal aborted with a timeout (a deadline, AbortSignal.timeout) is a TimeoutError and timeout', async () => {
    const deadline = new AbortController();
    const recorded = await types(async (ollama, server) => {
      // Each call is cut once the server has it (arrivals only add up; the in-flight gauge lags a cut).
      let arrived = 0;
      const atServer = async () => {
        await eventually(() => expect(server.stats.requests).toBeGreaterThan(arrived));
        arrived = server.stats.requests;
      };
      const pending = ollama.chat({ ...chat, stream: false }, { signal: deadline.signal });
      // A policy's deadline, as the gateway's: the signal aborts with a TimeoutError as its reason.
      await atServer();
      deadline.abort(Object.assign(new Error('deadline'), { name: 'TimeoutError' }));
      await expect(pending).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT',
      });
      await expect(ollama.chat(chat, { signal: AbortSignal.timeout(20) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      const left = new AbortController();
      const aborted = ollama.chat(chat, { signal: left.signal });
      await atServer();
      left.abort();
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    });
    expect(recorded.sort()).toEqual(['aborted', 'timeout']);
  });

  it("a call a policy's timeout cuts off is timeout, while the caller gets cockatiel's TaskCancelledError", async () => {
    const recorded = await types(async (ollama) => {
      let call: Promise<unknown> | undefined;
      const policy = timeout(20, TimeoutStrategy.Aggressive);
      await expect(
        executeWithSignal(policy, (signal) => {
          call = ollama.chat(chat, { signal });
          return call;
        }),
      ).rejects.toBeInstanceOf(TaskCancelledError);
      await expect(call).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT' });
    });
    expect(recorded).toEqual(['timeout']);
  });
});

describe('GenAI metrics of semantic conventions v1.41.0', () => {
  const sum = (series: ReturnType<typeof genAiSeries>, key: 'count' | 'sum') =>
    series.reduce((total, s) => total + (s.histogram?.[key] ?? 0), 0);

  it('gen_ai.response.model from the answer; error.type only on the duration metrics', async () => {
    const server = await fakeOllama();
    const ollama = client({ host: server.url, name: 'genai-response-model' });
    const base = { 'server.port': String(server.port) };
    const reply = await ollama.chat({ ...chat, model: 'llama3.2:latest' });
    expect(reply.model).toBe('llama3.2:latest');
    for (const name of [
      'gen_ai.client.operation.duration',
      'gen_ai.client.token.usage',
      'gen_ai.server.request.duration',
      'gen_ai.server.time_to_first_token',
      'gen_ai.server.time_per_output_token',
    ]) {
      const series = genAiSeries(name, base);
      expect(series.length, name).toBeGreaterThan(0);
      for (const s of series) {
        expect(s.attributes['gen_ai.response.model'], name).toBe(reply.model);
        expect(Object.keys(s.attributes), name).not.toContain('error.type');
      }
    }
    await ollama.chat({ ...chat, model: 'missing' }).catch(() => undefined);
    const failed = genAiSeries('gen_ai.client.operation.duration', { ...base, 'error.type': '404' });
    expect(failed.map((s) => s.attributes['gen_ai.response.model'])).toEqual([undefined]);
    expect(genAiSeries('gen_ai.client.token.usage', { ...base, 'gen_ai.request.model': 'other' })).toEqual(
      [],
    );
  });

  it('server request duration, time to first token and time per output token from what Ollama reports', async () => {
    const server = await fakeOllama({ tokensPerSecond: 500, ttftMs: 20 });
    const ollama = client({ host: server.url, name: 'genai-server' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'text_completion' };
    const reply = await ollama.generate({ model: 'llama3.2', prompt: 'Why is the sky blue?' });
    const total = genAiSeries('gen_ai.server.request.duration', base);
    expect(sum(total, 'count')).toBe(1);
    expect(sum(total, 'sum')).toBeCloseTo(reply.total_duration / 1e9, 9);
    const first = genAiSeries('gen_ai.server.time_to_first_token', base);
    expect(sum(first, 'sum')).toBeCloseTo(
      ((reply.load_duration ?? 0) + (reply.prompt_eval_duration ?? 0)) / 1e9,
      9,
    );
    expect(sum(first, 'sum')).toBeGreaterThanOrEqual(0.015); // the fake's 20 ms prompt evaluation
    const perToken = genAiSeries('gen_ai.server.time_per_output_token', base);
    expect(sum(perToken, 'sum')).toBeCloseTo(reply.eval_duration / reply.eval_count / 1e9, 9);
    // Not streamed: no client chunk metrics.
    expect(genAiSeries('gen_ai.client.operation.time_to_first_chunk', base)).toEqual([]);
    expect(genAiSeries('gen_ai.client.operation.time_per_output_chunk', base)).toEqual([]);
    // Embeddings: a server duration, but no first token and no time per token.
    const embedded = await ollama.embed({ model: 'nomic-embed-text', input: 'a b c' });
    const embeddings = { 'server.port': String(server.port), 'gen_ai.operation.name': 'embeddings' };
    expect(sum(genAiSeries('gen_ai.server.request.duration', embeddings), 'sum')).toBeCloseTo(
      (embedded.total_duration ?? 0) / 1e9,
      9,
    );
    expect(genAiSeries('gen_ai.server.time_to_first_token', embeddings)).toEqual([]);
  });

  it('time per output chunk: one value per chunk after the first, summing to the stream after its first chunk', async () => {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url, name: 'genai-chunks' });
    const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
    const started = performance.now();
    let firstAt = 0;
    let lastAt = 0;
    const chunks = [];
    for await (const chunk of await ollama.chat({ ...chat, stream: true })) {
      lastAt = performance.now();
      if (chunks.length === 0) firstAt = lastAt;
      chunks.push(chunk);
    }
    const last = chunks.at(-1)!;
    const finalIsOutput = last.message.content !== '' || (last.message.tool_calls?.length ?? 0) > 0;
    const expected = chunks.length - 1 - (finalIsOutput ? 0 : 1);
    expect(expected).toBeGreaterThan(5);
    const perChunk = genAiSeries('gen_ai.client.operation.time_per_output_chunk', base);
    expect(perChunk.map((s) => s.attributes['gen_ai.response.model'])).toEqual(['llama3.2']);
    expect(sum(perChunk, 'count')).toBe(expected);
    // The values add up to the time from the first chunk to the last output chunk, measured by the client.
    expect(sum(perChunk, 'sum')).toBeGreaterThan(0);
    expect(sum(perChunk, 'sum')).toBeLessThanOrEqual((lastAt - firstAt) / 1000 + 0.02);
    const first = genAiSeries('gen_ai.client.operation.time_to_first_chunk', base);
    expect(sum(first, 'count')).toBe(1);
    expect(sum(first, 'sum')).toBeLessThanOrEqual((firstAt - started) / 1000 + 0.02);
    expect(sum(genAiSeries('gen_ai.client.operation.duration', base), 'count')).toBe(1);
  });

  it('counts model loads from load_duration (a cold start), not the small load_duration of a loaded model', async () => {
    const server = await fakeOllama({ loadDurationMs: 300 });
    const ollama = client({ host: server.url, name: 'genai-loads' });
    const cold = await ollama.chat(chat);
    const warm = await ollama.chat(chat);
    await collect(await ollama.generate({ model: 'llama3.2', prompt: 'x', stream: true }));
    expect(cold.load_duration).toBeGreaterThanOrEqual(0.29e9); // the fake's 300 ms, give or take its timer
    expect(warm.load_duration ?? 0).toBeLessThan(0.25e9);
    const loads = genAiSeries(CATALOG.ollamaModelLoadDurationSeconds.name, { pool_name: 'genai-loads' });
    expect(loads.map((s) => [s.attributes.model, s.histogram?.count])).toEqual([['llama3.2', 1]]);
    expect(loads[0]?.histogram?.sum).toBeCloseTo(cold.load_duration / 1e9, 9);
    // The load is part of the server's time to first token too.
    const first = genAiSeries('gen_ai.server.time_to_first_token', { 'server.port': String(server.port) });
    expect(Math.max(...first.map((s) => s.histogram?.max ?? 0))).toBeGreaterThanOrEqual(0.29);
    await ollama.close();
    expect(genAiSeries(CATALOG.ollamaModelLoadDurationSeconds.name, { pool_name: 'genai-loads' })).toEqual(
      [],
    );
  });

  describe('chunk timings are when the client received a chunk, not when the application read it', () => {
    // The client's clock (performance.now()) is faked: the lines arrive over real sockets while it stands
    // still, and the application's slowness is the clock moved on after that, so nothing is timed.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['performance'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('a slow reader: first chunk, time per chunk and duration end when the lines arrived', async () => {
      const server = await fakeOllama({ tokensPerSecond: 1000, tokensPerAnswer: 12 });
      const ollama = client({ host: server.url, name: 'genai-slow-reader' });
      const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
      const started = performance.now();
      const stream = await ollama.chat({ ...chat, stream: true });
      // The whole answer has arrived once the request no longer holds its connection.
      await eventually(() => expect(poolSeries('genai-slow-reader').active).toBe(0));
      const arrivedBy = (performance.now() - started) / 1000;
      vi.advanceTimersByTime(50); // the application is busy before it reads
      const chunks = [];
      for await (const chunk of stream) {
        chunks.push(chunk);
        vi.advanceTimersByTime(20); // and slow per chunk
      }
      expect(chunks.length).toBeGreaterThan(5);
      const first = genAiSeries('gen_ai.client.operation.time_to_first_chunk', base);
      expect(sum(first, 'count')).toBe(1);
      expect(sum(first, 'sum')).toBeLessThanOrEqual(arrivedBy);
      const perChunk = genAiSeries('gen_ai.client.operation.time_per_output_chunk', base);
      expect(sum(perChunk, 'count')).toBeGreaterThan(3);
      // Read at 20 ms a chunk, they would add up to more than 20 ms × chunks; they arrived within arrivedBy.
      expect(sum(perChunk, 'sum')).toBeLessThanOrEqual(arrivedBy);
      const duration = genAiSeries('gen_ai.client.operation.duration', base);
      expect(sum(duration, 'count')).toBe(1);
      expect(sum(duration, 'sum')).toBeLessThanOrEqual(arrivedBy);
      expect(sum(duration, 'sum')).toBeGreaterThanOrEqual(sum(first, 'sum'));
    });

    it('an aborted stream ends when it was aborted, not when the application next reads', async () => {
      const server = await fakeOllama({ tokensPerSecond: 20, tokensPerAnswer: 200 });
      const ollama = client({ host: server.url, name: 'genai-slow-abort' });
      const base = { 'server.port': String(server.port), 'gen_ai.operation.name': 'chat' };
      const started = performance.now();
      const stream = await ollama.chat({ ...chat, stream: true });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();
      stream.abort();
      const abortedAt = (performance.now() - started) / 1000;
      vi.advanceTimersByTime(50); // the application comes back to the stream later
      await expect(iterator.next()).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_ABORTED' });
      const failed = genAiSeries('gen_ai.client.operation.duration', { ...base, 'error.type': 'aborted' });
      expect(sum(failed, 'count')).toBe(1);
      expect(sum(failed, 'sum')).toBeLessThanOrEqual(abortedAt);
    });
  });
});

describe('pool wait', () => {
  function waits(pool: string) {
    return genAiSeries(CATALOG.connectionPoolWaitDurationSeconds.name, { pool_name: pool })[0]?.histogram;
  }

  it('times how long calls waited for a connection, streamed and not', async () => {
    const server = await fakeOllama({ tokensPerSecond: 100, parallel: 4 });
    const ollama = client({ host: server.url, name: 'pool-wait', connections: 1 });
    await ollama.version(); // opens the one connection
    expect(waits('pool-wait')?.count).toBe(1);
    const stream = await ollama.chat({ ...chat, stream: true });
    const queuedAt = performance.now();
    const queued = ollama.chat(chat); // waits for the stream's connection
    const queuedStream = ollama.generate({ model: 'llama3.2', prompt: 'x', stream: true });
    await eventually(() => expect(poolSeries('pool-wait').pending).toBe(2));
    await collect(stream); // a third of a second at 100 tokens/s, the connection held all along
    const heldS = (performance.now() - queuedAt) / 1000;
    await queued;
    await collect(await queuedStream);
    const histogram = waits('pool-wait');
    expect(histogram?.count).toBe(4);
    expect(histogram?.max).toBeGreaterThanOrEqual(heldS - 0.01);
    expect(histogram?.min).toBeLessThan(0.05);
  });

  it('is not reported with metrics off, and ends with the client', async () => {
    const server = await fakeOllama();
    const quiet = client({ host: server.url, name: 'pool-wait-off', metrics: false });
    await quiet.version();
    expect(waits('pool-wait-off')).toBeUndefined();
    const ollama = client({ host: server.url, name: 'pool-wait-closed' });
    await ollama.version();
    expect(waits('pool-wait-closed')?.count).toBe(1);
    await ollama.close();
    expect(waits('pool-wait-closed')).toBeUndefined();
  });
});
