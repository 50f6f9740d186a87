import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { CATALOG, type HealthCheckResult, healthRegistry, metricRegistry } from '@sightglass/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_PS_BODY_BYTES, resolvePsPoll } from './ps-poller.js';
import { client, fakeOllama } from './test-support/servers.js';

const chat = { model: 'llama3.2', messages: [{ role: 'user', content: 'Load the model' }] };

function loaded(pool: string) {
  const registry = metricRegistry();
  const series = (name: string) =>
    registry
      .snapshot()
      .find((snapshot) => snapshot.definition.name === name)
      ?.series.filter((s) => s.attributes.pool_name === pool) ?? [];
  const byModel = (name: string) =>
    Object.fromEntries(series(name).map((s) => [s.attributes.model as string, s.value]));
  return {
    count: registry.value(CATALOG.ollamaLoadedModels, { pool_name: pool }),
    failures: registry.value(CATALOG.ollamaPsPollFailures, { pool_name: pool }),
    size: byModel(CATALOG.ollamaModelSizeBytes.name),
    vram: byModel(CATALOG.ollamaModelVramBytes.name),
    expiresIn: byModel(CATALOG.ollamaModelExpiresInSeconds.name),
  };
}

async function health(pool: string) {
  const check = healthRegistry()
    .list()
    .find((c) => c.component === 'connection_pool' && c.name === pool);
  return (await check?.check()) as HealthCheckResult;
}

describe('the /api/ps poller', () => {
  // Only setTimeout is faked, from the moment each test turns it on: sockets, undici's I/O and the fake
  // server run for real; the poller's schedule and its per-poll deadline move only when the test says so.
  const fake = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports loaded models, their size, VRAM and seconds to expiry, polling every intervalMs', async () => {
    const server = await fakeOllama();
    const loader = client({ host: server.url, name: 'ps-loader', metrics: false, health: false });
    await loader.chat({ ...chat, keep_alive: '10m' } as never); // real timers: the fake paces its tokens
    fake();
    const ollama = client({ host: server.url, name: 'ps', psPoll: { intervalMs: 10_000 } });
    expect(loaded('ps').count).toBeUndefined(); // nothing known before the first poll
    await vi.advanceTimersByTimeAsync(0); // the first poll runs at once
    await vi.waitFor(() => expect(loaded('ps').count).toBe(1));
    const now = loaded('ps');
    const entry = (await loader.ps()).models[0]!;
    expect(now.size).toEqual({ [entry.model]: entry.size });
    expect(now.vram).toEqual({ [entry.model]: entry.size_vram });
    expect(now.expiresIn[entry.model]).toBeGreaterThan(500);
    expect(now.expiresIn[entry.model]).toBeLessThanOrEqual(600);
    expect((await health('ps')).details).toMatchObject({
      ps_poll: { interval_ms: 10_000, loaded_models: 1, last_success_at: expect.any(String) },
    });
    // Unloaded (keep_alive 0, answered at once): still reported until the next poll, gone after it.
    await loader.chat({ model: 'llama3.2', messages: [], keep_alive: 0 } as never);
    await vi.advanceTimersByTimeAsync(9000);
    expect(loaded('ps').count).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(loaded('ps').count).toBe(0));
    expect(loaded('ps').size).toEqual({});
    await ollama.close();
    expect(loaded('ps').count).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0); // stopped: no timer left behind
  });

  it('counts failures, never throws, shows them in health, and reports nothing while Ollama is unreachable', async () => {
    const server = await fakeOllama();
    const url = server.url;
    await server.close();
    fake();
    const ollama = client({ host: url, name: 'ps-down', psPoll: { intervalMs: 1000, timeoutMs: 500 } });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(loaded('ps-down').failures).toBe(1));
    expect(loaded('ps-down').count).toBeUndefined(); // absent, not 0: unknown
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(loaded('ps-down').failures).toBeGreaterThanOrEqual(2));
    const result = await health('ps-down');
    expect(result.status).toBe('healthy'); // the poller has its own connection: it never changes the status
    expect(result.details).toMatchObject({
      ps_poll: { loaded_models: null, last_error: { message: expect.any(String), at: expect.any(String) } },
    });
    await ollama.close();
    expect(loaded('ps-down').failures).toBeUndefined();
  });

  it('bounds a poll by timeoutMs: a stalled answer is a failure, and the next poll still comes', async () => {
    // A server that takes the connection and never answers.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    fake();
    const host = `http://127.0.0.1:${port}`;
    const ollama = client({ host, name: 'ps-slow', psPoll: { intervalMs: 1000, timeoutMs: 50 } });
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(sockets.size).toBe(1)); // the poll is waiting for its answer
    expect(loaded('ps-slow').failures).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    await vi.waitFor(() => expect(loaded('ps-slow').failures).toBe(1));
    expect((await health('ps-slow')).details).toMatchObject({
      ps_poll: { last_error: { message: 'no answer within 50 ms' } },
    });
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(50);
    await vi.waitFor(() => expect(loaded('ps-slow').failures).toBe(2));
    await ollama.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('caps the answer at MAX_PS_BODY_BYTES: a larger one is a failed poll, not read whole', async () => {
    // An answer that looks like /api/ps but never ends: more than 1 MiB of models.
    let sent = 0;
    const huge = createHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"models":[');
      const entry = `${JSON.stringify({ name: 'x', size: 1 })},`.repeat(2048);
      const more = () => {
        while (sent < 4 * MAX_PS_BODY_BYTES && response.write(entry)) sent += entry.length;
        if (sent < 4 * MAX_PS_BODY_BYTES) response.once('drain', more);
        else response.end('{"name":"y"}]}');
      };
      response.on('close', () => response.removeAllListeners('drain'));
      more();
    });
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    const { port } = huge.address() as AddressInfo;
    const ollama = client({ host: `http://127.0.0.1:${port}`, name: 'ps-huge', psPoll: true });
    await vi.waitFor(() => expect(loaded('ps-huge').failures).toBe(1), { timeout: 5000 });
    expect(loaded('ps-huge').count).toBeUndefined();
    expect((await health('ps-huge')).details).toMatchObject({
      ps_poll: {
        last_error: { message: `the answer is larger than ${MAX_PS_BODY_BYTES} bytes` },
      },
    });
    expect(sent).toBeLessThan(4 * MAX_PS_BODY_BYTES); // the rest was never sent: the connection was closed
    await ollama.close();
    huge.closeAllConnections();
    await new Promise((resolve) => huge.close(resolve));
  });

  it('is off by default and checks its options', () => {
    expect(resolvePsPoll(undefined)).toBeUndefined();
    expect(resolvePsPoll(false)).toBeUndefined();
    expect(resolvePsPoll(true)).toEqual({ intervalMs: 15_000, timeoutMs: 5000 });
    expect(resolvePsPoll({ intervalMs: 2000 })).toEqual({ intervalMs: 2000, timeoutMs: 2000 });
    for (const bad of [{ intervalMs: 999 }, { intervalMs: 5000, timeoutMs: 6000 }, { timeoutMs: 0 }, 'yes']) {
      expect(() => resolvePsPoll(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_SIGHTGLASS_INVALID_CONFIG' }),
      );
    }
    expect(() => client({ psPoll: { intervalMs: 10 } })).toThrow(/psPoll.intervalMs/);
    client({ name: 'ps-off' });
    expect(loaded('ps-off').count).toBeUndefined();
  });
});
