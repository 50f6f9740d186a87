import { CATALOG, type HealthCheckResult, healthRegistry, metricRegistry } from '@sightglass/core';
import { TimeoutStrategy, timeout } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from './errors.js';
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
  async function types(run: (ollama: ReturnType<typeof client>) => Promise<unknown>, setup = {}) {
    const server = await fakeOllama({ tokensPerSecond: 200 });
    const ollama = client({ host: server.url, ...setup });
    await run(ollama).catch(() => undefined);
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
    const series = genAiSeries('gen_ai.client.operation.duration', { 'server.port': String(server.port) });
    expect(series.map((s) => [s.attributes['error.type'], s.histogram?.count])).toEqual(
      expect.arrayContaining([['connection_reset', 2]]),
    );
  });

  it('a signal aborted with a timeout (a deadline, AbortSignal.timeout) is a TimeoutError and timeout', async () => {
    const deadline = new AbortController();
    const recorded = await types(async (ollama) => {
      const pending = ollama.chat({ ...chat, stream: false }, { signal: deadline.signal });
      // A policy's deadline, as the gateway's: the signal aborts with a TimeoutError as its reason.
      setTimeout(() => deadline.abort(Object.assign(new Error('deadline'), { name: 'TimeoutError' })), 20);
      await expect(pending).rejects.toMatchObject({
        name: 'TimeoutError',
        code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT',
      });
      await expect(ollama.chat(chat, { signal: AbortSignal.timeout(20) })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      const left = new AbortController();
      const aborted = ollama.chat(chat, { signal: left.signal });
      setTimeout(() => left.abort(), 20);
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    });
    expect(recorded.sort()).toEqual(['aborted', 'timeout']);
  });

  it("a policy's timeout is timeout: cockatiel's TaskCancelledError, or an attempt cut with a TimeoutError", async () => {
    const aggressive = await types((ollama) => ollama.chat(chat), {
      policy: timeout(20, TimeoutStrategy.Aggressive),
    });
    expect(aggressive).toEqual(['timeout']); // was TaskCancelledError
    const deadline = {
      execute: <T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(new TimeoutError('the policy gave up')), 20);
        return Promise.resolve(fn({ signal: controller.signal }));
      },
    };
    const cut = await types(
      async (ollama) =>
        await expect(ollama.chat(chat)).rejects.toMatchObject({ code: 'ERR_SIGHTGLASS_OLLAMA_TIMEOUT' }),
      { policy: deadline },
    );
    expect(cut).toEqual(['timeout']);
  });
});
