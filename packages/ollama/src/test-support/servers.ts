import { CATALOG, metricRegistry } from '@sightglass/core';
import { type FakeOllama, type FakeOllamaOptions, startFakeOllama } from '@sightglass/fake-ollama';
import { afterEach } from 'vitest';
import { Ollama } from '../client.js';
import type { Config } from '../options.js';

const servers: FakeOllama[] = [];
const clients: Ollama[] = [];

/** A fake Ollama closed after the test. Fast by default (1000 tokens/s, 1 ms to the first token). */
export async function fakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const server = await startFakeOllama({ tokensPerSecond: 1000, ttftMs: 1, ...options });
  servers.push(server);
  return server;
}

/** A client closed after the test. */
export function client(config: Config = {}): Ollama {
  const ollama = new Ollama(config);
  clients.push(ollama);
  return ollama;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A pool's gauges and counters as the registry reports them now. */
export function poolSeries(name: string) {
  const registry = metricRegistry();
  const labels = { pool_name: name };
  return {
    active: registry.value(CATALOG.connectionPoolActiveConnections, labels),
    utilization: registry.value(CATALOG.connectionPoolUtilizationPercent, labels),
    idle: registry.value(CATALOG.connectionPoolIdleConnections, labels),
    max: registry.value(CATALOG.connectionPoolMaxConnections, labels),
    pending: registry.value(CATALOG.connectionPoolPendingRequests, labels),
    opened: registry.value(CATALOG.connectionPoolConnectionsOpened, labels),
    closed: registry.value(CATALOG.connectionPoolConnectionsClosed, labels),
    errors: registry.value(CATALOG.connectionPoolConnectionErrors, labels),
  };
}

/** Waits until `check` passes (or fails after `timeoutMs`). */
export async function eventually(check: () => unknown, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Collects a stream's chunks. */
export async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const chunks: T[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
